"""A very long WeChat text: only its start is searched, the worker is told so politely, and a case keeps the
whole text. Through the real /wechat endpoint; the note follows the answer as a customer-service message."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from api.services import Services
from core.consultations import Consultation
from core.tickets import Ticket
from support.fake_wechat_api import FakeWeChatApi, fake_wechat_api, openid
from support.knowledge import FIXTURE_CARDS, make_settings
from support.wechat_simulator import WeChatSimulator, wechat_app

LENGTH = 40_000
SEARCHED = 2000
STORY = "今年三月起公司一直没发工资，主管说等项目回款再说，我们十几个人每天照常上班，加班也没有加班费。"


def story(length: int = LENGTH) -> str:
    return (STORY * (length // len(STORY) + 1))[:length]


@pytest.fixture(scope="module")
def running(fixture_kb) -> Iterator[tuple[Services, WeChatSimulator, FakeWeChatApi]]:
    with fake_wechat_api() as (fake, api_url):
        settings = make_settings(
            fixture_kb.private_data_dir(),
            cards_dir=FIXTURE_CARDS,
            wechat_token="long-token",
            wechat_app_id=fake.app_id,
            wechat_app_secret=fake.secret,
            wechat_api_base_url=api_url,
            wechat_max_body_bytes=256 * 1024,  # 40,000 Chinese characters are 120 kB of XML
            searched_chars=SEARCHED,
        )
        with wechat_app(settings) as (services, simulator):
            yield services, simulator, fake


def test_a_long_question_is_answered_from_its_start_with_a_note(running, request) -> None:
    services, simulator, fake = running
    user = openid(request.node.name)
    answer = simulator.text(user, story()).content
    assert answer and "前 2000 字" not in answer
    (note,) = fake.wait_for_texts(user)
    assert f"很长（{LENGTH} 字）" in note and f"只读了前 {SEARCHED} 字" in note
    with services.database.session() as session:
        asked = session.scalars(select(Consultation.question).where(Consultation.user_id == user)).one()
    assert asked == story()[:SEARCHED]


def test_a_short_question_gets_no_note(running, request) -> None:
    services, simulator, fake = running
    user = openid(request.node.name)
    assert simulator.text(user, story(SEARCHED)).content
    assert simulator.text(user, "你好").content
    assert fake.texts_to(user) == []


def test_a_long_description_is_kept_whole_in_the_case(running, request) -> None:
    services, simulator, fake = running
    user = openid(request.node.name)
    said = [simulator.text(user, text).content for text in ("维权求助", "欠薪", "天津示例物流有限公司")]
    assert "发生了什么" in said[-1]
    assert "金额" in simulator.text(user, story()).content
    (note,) = fake.wait_for_texts(user)
    assert "全文已经完整保存" in note
    for text in ("2万", "跳过", "13812345678", "工作日晚上", "东疆"):
        simulator.text(user, text)
    summary = simulator.text(user, "同意").content
    assert f"情况：{STORY[:20]}" in summary and f"（共 {LENGTH} 字，全文已保存）" in summary
    assert len(summary) < 1000
    assert "编号" in simulator.text(user, "确认提交").content
    with services.database.session() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.user_id == user)).one()
    assert ticket.description == story()
