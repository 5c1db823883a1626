"""Conversations through the real /wechat endpoint in safe mode, as WeChat's servers deliver them."""

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from api.services import Services
from core.consultations import Consultation
from core.feedback import Feedback
from support.cases import assigned_case
from support.fake_wechat_api import fake_wechat_api, openid
from support.knowledge import FIXTURE_CARDS, make_settings
from support.wechat_simulator import WeChatSimulator, new_aes_key, wechat_app


@pytest.fixture(scope="module")
def running(fixture_kb) -> Iterator[tuple[Services, WeChatSimulator]]:
    with fake_wechat_api() as (fake, api_url):
        settings = make_settings(
            fixture_kb.private_data_dir(),
            cards_dir=FIXTURE_CARDS,
            wechat_token="conversation-token",
            wechat_app_id=fake.app_id,
            wechat_app_secret=fake.secret,
            wechat_aes_key=new_aes_key(),
            wechat_api_base_url=api_url,
        )
        with wechat_app(settings) as running:
            yield running


@pytest.fixture
def account(running) -> WeChatSimulator:
    return running[1]


@pytest.fixture
def user(request) -> str:
    return openid(request.node.name)


def test_question_gets_the_answer_with_its_citation_encrypted(running, account: WeChatSimulator, user: str) -> None:
    delivery = account.text(user, "干满一年有没有年假")
    assert delivery.response.status_code == 200
    assert "<Encrypt>" in delivery.response.text and "年假" not in delivery.response.text
    reply = delivery.reply
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (user, account.platform.account, "text")
    assert reply["Content"].startswith("按示例条例，连续工作满一年的职工每年有带薪休假")
    assert "1. 《示例职工权益条例》第四条：“职工连续工作满一年的" in reply["Content"]
    assert len(reply["Content"].encode()) <= 1500
    services, _ = running
    with services.database.session() as session:
        count = session.scalar(select(func.count()).select_from(Consultation).where(Consultation.user_id == user))
    assert count == 1


def test_buttons_are_numbered_and_a_number_picks_one(account: WeChatSimulator, user: str) -> None:
    answer = account.text(user, "单位拖着不发工资怎么办").content
    assert "工会可以帮你调解" in answer
    assert "回复数字：\n1. 找调解员\n\n" in answer, "有用 / 没用 are not numbered"
    assert answer.endswith("回复“有用”或“没用”告诉我们。")
    assert account.text(user, "1").content == account.text(openid(f"{user}-typed"), "维权求助").content


def test_full_article_on_request(account: WeChatSimulator, user: str) -> None:
    account.text(user, "干满一年有没有年假")
    assert "职工连续工作满一年的" in account.text(user, "原文1").content


def test_subscribe_welcomes_with_the_menu(account: WeChatSimulator, user: str) -> None:
    welcome = account.event(user, "subscribe").content
    assert welcome.startswith("你好，欢迎关注")
    assert "回复数字：\n1. 维权求助\n2. 服务站点\n3. 活动报名\n4. 入会" in welcome
    assert account.text(user, "2").content.startswith("请发送你的位置")


def test_menu_click_stations_asks_where_then_lists_stations(account: WeChatSimulator, user: str) -> None:
    assert account.event(user, "CLICK", "STATIONS").content.startswith("请发送你的位置")
    listing = account.text(user, "东疆").content
    assert listing.startswith("离“东疆”最近的服务站") and "电话：" in listing


def test_shared_location_lists_the_nearest_stations(account: WeChatSimulator, user: str) -> None:
    listing = account.location(user, 39.0352, 117.7905, "天津港东疆").content
    assert listing.startswith("离你最近的服务站是")
    assert "1. 东疆职工服务中心（示例）（约0.0公里）" in listing
    assert "地址：" in listing and "时间：" in listing


@pytest.mark.parametrize("kind", ["image", "voice", "video", "shortvideo"])
def test_media_gets_a_polite_text(account: WeChatSimulator, user: str, kind: str) -> None:
    assert account.media(user, kind).content.startswith("抱歉，我暂时还看不懂图片、语音和视频")


def test_view_and_unsubscribe_need_no_words(account: WeChatSimulator, user: str) -> None:
    assert account.event(user, "VIEW", "https://union.example/chat").response.status_code == 200
    goodbye = account.event(user, "unsubscribe", "")
    assert (goodbye.response.status_code, goodbye.response.text, goodbye.reply) == (200, "success", None)


def test_events_of_no_interest_are_acknowledged(account: WeChatSimulator, user: str) -> None:
    report = account.post(account.platform.event_xml(user, "LOCATION"), user)
    assert (report.response.status_code, report.response.text) == (200, "success")


def test_while_a_mediator_holds_the_conversation_the_bot_only_acknowledges(running, user: str) -> None:
    """The acknowledgement is the passive reply, so it spends none of WeChat's customer-service budget."""
    services, account = running
    account.text(user, "你好")
    ids = assigned_case(services.database, "wechat", user, f"m-{user}", "周调解")
    assert services.casework.reply(*ids, "您好，我来跟进您的案件。").delivered
    assert account.text(user, "好的，公司说下周发").content == "收到，已转给调解员周调解，请稍候，回复会发到这里。"
    quiet = account.text(user, "您看怎么办")
    assert (quiet.response.status_code, quiet.response.text, quiet.reply) == (200, "success", None)


def rated(services: Services, user: str) -> list[tuple[str, bool]]:
    with services.database.session() as session:
        rows = session.execute(
            select(Consultation.question, Feedback.helpful).join(Feedback).where(Consultation.user_id == user)
        )
        return [tuple(row) for row in rows]


def test_a_reply_of_meiyong_rates_the_answer_and_is_thanked(running, user: str) -> None:
    services, account = running
    answer = account.text(user, "干满一年有没有年假").content
    assert answer.endswith("这条回答对你有帮助吗？回复“有用”或“没用”告诉我们。")
    assert account.text(user, "没用").content.startswith("谢谢你告诉我们，我们会尽快把这个问题补充完善")
    assert rated(services, user) == [("干满一年有没有年假", False)]
    assert account.text(user, "有用。").content.startswith("谢谢你的反馈！"), "a changed mind: the latest word"
    assert rated(services, user) == [("干满一年有没有年假", True)]


def test_meiyong_to_a_mediator_reaches_the_mediator_not_the_feedback(running, user: str) -> None:
    services, account = running
    account.text(user, "干满一年有没有年假")
    ids = assigned_case(services.database, "wechat", user, f"m-{user}", "吴调解")
    assert services.casework.reply(*ids, "您可以先和单位人事再沟通一次。").delivered
    assert account.text(user, "没用").content == "收到，已转给调解员吴调解，请稍候，回复会发到这里。"
    assert rated(services, user) == []


def test_a_passive_reply_quotes_at_most_two_articles_and_lists_the_rest_for_full_text(
    account: WeChatSimulator, user: str
) -> None:
    answer = account.text(user, "单位拖着不发工资怎么办？另外年假有几天").content
    assert "1. 《示例职工权益条例》第三条：“单位应当每月按时足额发放工资" in answer
    assert "3. 《示例职工权益条例》第四条（原文3）" in answer
    assert answer.count("：“") <= 2, "at most two articles are quoted"
    assert "职工连续工作满一年的，每年享有带薪休假七天" in account.text(user, "原文3").content
