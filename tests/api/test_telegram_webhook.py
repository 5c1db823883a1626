"""Conversations through the real /telegram/webhook, delivered the way Telegram's servers deliver them."""

import threading
import zlib
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from api.services import Services
from core.consultations import Consultation
from core.feedback import Feedback
from core.idempotency import InboundMessage
from support.fake_telegram import TOKEN, FakeTelegram, fake_telegram
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import serving

SECRET = "webhook-secret_123"
DONGJIANG = (39.0352, 117.7905)


@pytest.fixture(scope="module")
def bot(fixture_kb, tmp_path_factory) -> Iterator[tuple[FakeTelegram, Services, str]]:
    with fake_telegram() as (fake, api_url):
        settings = make_settings(
            fixture_kb.private_data_dir(),
            cards_dir=FIXTURE_CARDS,
            database_url=f"sqlite:///{tmp_path_factory.mktemp('telegram-webhook') / 'app.sqlite3'}",
            telegram_token=TOKEN,
            telegram_api_base_url=api_url,
            telegram_webhook_secret=SECRET,
        )
        app = create_app(settings)
        with serving(app) as url:
            webhook = {"url": f"{url}/telegram/webhook", "secret_token": SECRET}
            registered = httpx.post(f"{api_url}{TOKEN}/setWebhook", json=webhook)
            assert registered.json() == {"ok": True, "result": True, "description": "Webhook was set"}
            yield fake, app.state.services, url


@pytest.fixture
def fake(bot) -> FakeTelegram:
    return bot[0]


@pytest.fixture
def chat(request) -> int:
    """A chat of its own for every test."""
    return 100_000_000 + zlib.crc32(request.node.name.encode()) % 100_000_000


def say(fake: FakeTelegram, update: dict) -> list[dict]:
    """Deliver one update and return what the bot sent to that chat in answer."""
    chat_id = (update.get("message") or update["callback_query"]["message"])["chat"]["id"]
    before = len(fake.messages_to(chat_id))
    assert fake.push(update).status_code == 200
    return fake.messages_to(chat_id)[before:]


def buttons(message: dict) -> list[list[tuple[str, str]]]:
    rows = (message["reply_markup"] or {}).get("inline_keyboard", [])
    return [[(b["text"], b.get("callback_data") or b.get("url")) for b in row] for row in rows]


def claimed(services: Services) -> int:
    with services.database.session() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def test_question_gets_the_answer_with_its_citation(fake: FakeTelegram, chat: int) -> None:
    [message] = say(fake, fake.text(chat, "干满一年有没有年假"))
    assert message["text"].startswith("按示例条例，连续工作满一年的职工每年有带薪休假")
    assert "1. 《示例职工权益条例》第四条：“职工连续工作满一年的" in message["text"]


def test_start_welcomes_with_the_menu_as_inline_keyboard(fake: FakeTelegram, chat: int) -> None:
    [message] = say(fake, fake.command(chat, "/start"))
    assert message["text"].startswith("你好，欢迎使用！我是工会的法律和服务小助手。")
    assert buttons(message) == [
        [("维权求助", "维权求助"), ("服务站点", "服务站点")],
        [("活动报名", "活动报名"), ("入会", "入会")],
    ]


def test_help_is_the_engines_help(fake: FakeTelegram, chat: int) -> None:
    [message] = say(fake, fake.command(chat, "/help@union_assistant_test_bot"))
    assert message["text"].startswith("我能帮你解答劳动法律问题")
    assert ("服务站点", "服务站点") in buttons(message)[0]


def test_pressing_a_button_runs_its_payload_and_answers_the_query(fake: FakeTelegram, chat: int) -> None:
    [menu] = say(fake, fake.command(chat, "/start"))
    stations = fake.press(chat, menu, buttons(menu)[0][1][1])
    [asked] = say(fake, stations)
    assert asked["text"].startswith("请发送你的位置")
    assert stations["callback_query"]["id"] in fake.answered
    [listed] = say(fake, fake.text(chat, "东疆"))
    assert listed["text"].startswith("离“东疆”最近的服务站是东疆职工服务中心（示例）")


def test_a_numbered_button_picks_from_the_remembered_buttons(fake: FakeTelegram, chat: int) -> None:
    """The fallback for payloads over 64 bytes: the button's number, resolved by the engine."""
    [menu] = say(fake, fake.command(chat, "/start"))
    [asked] = say(fake, fake.press(chat, menu, "2"))
    assert asked["text"].startswith("请发送你的位置")


def test_answer_buttons_offer_the_mediator(fake: FakeTelegram, chat: int) -> None:
    [answer] = say(fake, fake.text(chat, "单位拖着不发工资怎么办"))
    assert "工会可以帮你调解" in answer["text"]
    assert buttons(answer) == [[("找调解员", "维权求助")], [("有用", "有用"), ("没用", "没用")]]
    [pressed] = say(fake, fake.press(chat, answer, "维权求助"))
    [typed] = say(fake, fake.text(chat + 1, "维权求助"))
    assert (pressed["text"], buttons(pressed)) == (typed["text"], buttons(typed))


def test_shared_location_lists_the_nearest_stations(fake: FakeTelegram, chat: int) -> None:
    [message] = say(fake, fake.location(chat, *DONGJIANG))
    assert message["text"].startswith("离你最近的服务站是东疆职工服务中心（示例），约0.0公里。\n\n1. 东疆职工服务中心（示例）（约0.0公里）")
    assert "电话：022-6000-0011" in message["text"]


@pytest.mark.parametrize("kind", ["photo", "voice", "video", "document", "sticker"])
def test_media_gets_a_polite_text(fake: FakeTelegram, chat: int, kind: str) -> None:
    [message] = say(fake, fake.media(chat, kind))
    assert message["text"].startswith("抱歉，我暂时还看不懂图片、语音和视频。")


def test_a_redelivered_update_is_answered_once(bot, chat: int) -> None:
    fake, services, _ = bot
    update = fake.text(chat, "干满一年有没有年假")
    assert len(say(fake, update)) == 1
    assert say(fake, update) == []
    results: list[int] = []
    twice = fake.text(chat, "你好")
    threads = [threading.Thread(target=lambda: results.append(fake.push(twice).status_code)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200]
    assert [m["text"] for m in fake.messages_to(chat)].count(fake.messages_to(chat)[-1]["text"]) == 1
    assert len(fake.messages_to(chat)) == 2
    with services.database.session() as session:
        assert session.get(InboundMessage, f"telegram:7000001:{update['update_id']}").status == "answered"


def test_wrong_or_missing_secret_is_403_and_nothing_is_handled(bot, chat: int) -> None:
    fake, services, _ = bot
    before = claimed(services)
    update = fake.text(chat, "干满一年有没有年假")
    assert fake.push(update, secret="guessed-secret").status_code == 403
    assert fake.push(update, secret="").status_code == 403
    assert fake.messages_to(chat) == [] and claimed(services) == before
    assert len(say(fake, update)) == 1  # the genuine delivery still goes through


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"[1, 2]", b"42", b'{"message": {}}', b'{"update_id": "7"}',
     b'{"update_id": 7, "message": "hello"}', b'{"update_id": 8, "message": {"message_id": 1}}'],
)
def test_malformed_update_is_400(bot, body: bytes) -> None:
    fake, services, _ = bot
    before = claimed(services)
    response = fake.push(body)
    assert response.status_code == 400 and response.text == "malformed update"
    assert claimed(services) == before


def test_oversized_update_is_413_whether_declared_or_streamed(bot) -> None:
    fake, _, url = bot
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}
    body = b'{"update_id": 1, "message": {"text": "' + b"x" * 300_000 + b'"}}'
    assert httpx.post(f"{url}/telegram/webhook", content=body, headers=headers).status_code == 413
    chunks = iter([body[:100_000], body[100_000:200_000], body[200_000:]])
    assert httpx.post(f"{url}/telegram/webhook", content=chunks, headers=headers).status_code == 413


def test_group_chats_and_blocked_workers_are_handled_without_errors(fake: FakeTelegram, chat: int) -> None:
    group = fake.text(chat, "干满一年有没有年假")
    group["message"]["chat"] = {"id": -chat, "type": "group", "title": "工友群"}
    assert fake.push(group).status_code == 200
    assert fake.messages_to(-chat) == []
    fake.blocked_chats.add(chat)
    assert fake.push(fake.text(chat, "干满一年有没有年假")).status_code == 200
    assert fake.messages_to(chat) == []


def test_the_meiyong_button_rates_the_answer_and_is_thanked(bot, fake: FakeTelegram, chat: int) -> None:
    services = bot[1]
    [answer] = say(fake, fake.text(chat, "干满一年有没有年假"))
    assert buttons(answer)[-1] == [("有用", "有用"), ("没用", "没用")]
    pressing = fake.press(chat, answer, "没用")
    [thanks] = say(fake, pressing)
    assert thanks["text"].startswith("谢谢你告诉我们") and pressing["callback_query"]["id"] in fake.answered
    with services.database.session() as session:
        rated = session.execute(
            select(Consultation.question, Feedback.helpful).join(Feedback).where(Consultation.user_id == str(chat))
        ).all()
    assert [tuple(row) for row in rated] == [("干满一年有没有年假", False)]
