"""The engine, driven as conversations over a real database and index."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

from bot.engine import Engine, build_engine
from core.clock import utcnow
from core.messages import InboundKind
from core.consultations import Consultation, unanswered
from core.conversations import Conversation
from support.transcript import Transcript


@pytest.fixture
def engine(fixture_kb, assistant) -> Engine:
    return build_engine(fixture_kb.settings, fixture_kb.database, assistant)


@pytest.fixture
def chat(engine: Engine, request) -> Transcript:
    return Transcript(engine, user=request.node.name)


def test_subscribe_welcomes_with_the_menu(chat: Transcript) -> None:
    said = chat.event(InboundKind.SUBSCRIBE)
    assert said.startswith("你好，欢迎使用！"), "only a WeChat subscriber has followed an account"
    assert chat.buttons == ["维权求助", "服务站点", "活动报名", "入会"]


def test_greeting_thanks_and_help(chat: Transcript) -> None:
    assert chat.say("你好").startswith("你好！有什么劳动方面的问题")
    assert "回复“服务站点”" in chat.say("帮助")
    assert chat.say("谢谢！") == "不客气！还有别的问题随时找我。"


def test_question_gets_answer_citation_and_is_recorded(chat: Transcript, fixture_kb) -> None:
    said = chat.say("干满一年有没有年假")
    assert said.startswith("按示例条例，连续工作满一年的职工每年有带薪休假")
    assert "1. 《示例职工权益条例》第四条：“职工连续工作满一年的" in said
    with fixture_kb.database.session() as session:
        record = session.scalars(select(Consultation).where(Consultation.user_id == chat.user)).one()
        assert (record.card_id, record.confident) == ("annual-leave", True)


def test_dispute_question_offers_a_mediator_and_a_number_picks_it(chat: Transcript) -> None:
    said = chat.say("老板压着工资不给，我该怎么办")
    assert "工会可以帮你调解" in said
    assert chat.buttons == ["找调解员"]
    assert "先选一下纠纷的类型" in chat.say("1")
    assert chat.buttons[0] == "欠薪", "the category of the answered question is offered first"


def test_full_text_of_a_cited_article(chat: Transcript) -> None:
    chat.say("单位拖着不发工资怎么办")
    assert chat.say("原文1") == "《示例职工权益条例》第三条\n单位应当每月按时足额发放工资，不得无故拖延或者克扣。"
    [full_text] = chat.last
    assert (full_text.link, full_text.link_label) == (f"/laws/{quote('示例职工权益条例')}/3", "查看条文")
    assert full_text.absolute_link is None, "without PUBLIC_BASE_URL only the app's own pages can open it"
    assert "暂时没有收录" in chat.say("原文2")
    assert "第 1 到第 2 条" in chat.say("原文9")


def test_uncertain_question_is_honest_and_logged_for_admins(chat: Transcript, fixture_kb) -> None:
    said = chat.say("公司食堂的饭菜太难吃了可以投诉吗")
    assert "暂时回答不了" in said or "不太有把握" in said
    assert "找调解员" in chat.buttons
    with fixture_kb.database.session() as session:
        assert any(c.user_id == chat.user for c in unanswered(session))


def test_phone_numbers_are_masked_in_the_consultation_log(chat: Transcript, fixture_kb) -> None:
    chat.say("我电话13812345678，老板拖欠工资")
    with fixture_kb.database.session() as session:
        record = session.scalars(select(Consultation).where(Consultation.user_id == chat.user)).one()
        assert "13812345678" not in record.question and "138****5678" in record.question


def test_nearest_station_from_a_place_name(chat: Transcript) -> None:
    said = chat.say("东疆附近有服务站吗")
    assert said.startswith("离“东疆")
    assert "1. 东疆职工服务中心（示例）" in said and "电话：022-6000-0011" in said


def test_nearest_station_from_a_shared_location(chat: Transcript) -> None:
    said = chat.location(39.1420, 117.3830)
    assert said.startswith("离你最近的服务站是") and "公里" in said
    assert "机场" in said.split("\n")[2] or "空港" in said.split("\n")[2]


def test_station_flow_asks_for_a_place_then_answers(chat: Transcript) -> None:
    assert "请发送你的位置" in chat.menu("STATIONS")
    assert "没找到“火星”附近的站点" in chat.say("火星")
    assert chat.say("于家堡").startswith("离“于家堡”最近的服务站")


def test_cancel_leaves_any_flow(chat: Transcript, fixture_kb) -> None:
    chat.say("服务站点")
    assert chat.say("取消").startswith("好的，已经取消了")
    assert chat.say("取消") == "好的。有问题随时问我。"


def test_media_gets_a_polite_text(chat: Transcript) -> None:
    assert "看不懂图片、语音和视频" in chat.event(InboundKind.MEDIA)


def test_menu_clicks_reach_the_same_entry_points(chat: Transcript) -> None:
    assert "你现在的工作是哪一种" in chat.menu("JOIN")
    assert "请直接描述你遇到的情况" in chat.menu("LEGAL")
    assert "你还可以" in chat.menu("UNKNOWN_KEY")


def test_state_survives_a_restart(fixture_kb, assistant, request) -> None:
    first = Transcript(build_engine(fixture_kb.settings, fixture_kb.database, assistant), user=request.node.name)
    first.say("服务站点")
    restarted = Transcript(build_engine(fixture_kb.settings, fixture_kb.database, assistant), user=request.node.name)
    assert restarted.say("空港").startswith("离“空港")


def test_idle_flow_expires(chat: Transcript, fixture_kb) -> None:
    chat.say("服务站点")
    with fixture_kb.database.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.user_id == chat.user)
            .values(updated_at=utcnow() - timedelta(hours=2))
        )
    said = chat.say("火星")
    assert "没找到" not in said
