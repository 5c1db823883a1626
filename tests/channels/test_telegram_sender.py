"""TelegramSender: messages that are not replies, over real HTTP to the fake Bot API."""

from collections.abc import Iterator

import pytest

from bot.channels.telegram import TelegramSender
from core.messages import Button, Channel, Reply
from core.outbound import DeliveryError, Outbound
from support.fake_telegram import TOKEN, FakeTelegram, fake_telegram
from support.knowledge import make_settings
from support.server import free_port

WORKER = 424242


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[FakeTelegram, str]]:
    with fake_telegram() as served:
        yield served


@pytest.fixture
def fake(api) -> FakeTelegram:
    fake = api[0]
    fake.known_chats.add(WORKER)
    fake.blocked_chats.clear()
    return fake


def sender_for(tmp_path, base_url: str, token: str = TOKEN) -> TelegramSender:
    settings = make_settings(tmp_path, telegram_token=token, telegram_api_base_url=base_url)
    return TelegramSender.from_settings(settings)


@pytest.fixture
def sender(api, tmp_path) -> TelegramSender:
    return sender_for(tmp_path, api[1])


def test_a_message_reaches_the_worker_with_buttons_and_link(fake: FakeTelegram, sender: TelegramSender) -> None:
    outbound = Outbound()
    outbound.register(sender)
    reply = Reply(
        "调解员已回复你的求助：请带上劳动合同和工资条，周三上午到东疆职工服务中心面谈。",
        (Button("我的工单", "我的工单"), Button("入会", "入会")),
        link="https://example.org/tickets/17",
    )
    outbound.send(Channel.TELEGRAM, str(WORKER), reply)
    [message] = fake.messages_to(WORKER)[-1:]
    assert message["text"] == reply.text
    assert message["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "我的工单", "callback_data": "我的工单"}, {"text": "入会", "callback_data": "入会"}],
            [{"text": "查看全文", "url": "https://example.org/tickets/17"}],
        ]
    }


def test_a_payload_too_long_for_callback_data_is_left_out(fake: FakeTelegram, sender: TelegramSender) -> None:
    """Not a reply, so the engine's remembered buttons are another message's: no numbered fallback."""
    sender.send(str(WORKER), Reply("请选择：", (Button("长按钮", "很" * 22), Button("入会", "入会"))))
    markup = fake.messages_to(WORKER)[-1]["reply_markup"]
    assert markup == {"inline_keyboard": [[{"text": "入会", "callback_data": "入会"}]]}


def test_a_long_message_is_split_at_paragraphs_under_4096(fake: FakeTelegram, sender: TelegramSender) -> None:
    paragraphs = [f"第{n}段：" + "劳动者依法享有取得劳动报酬的权利。" * 60 for n in range(1, 9)]
    before = len(fake.messages_to(WORKER))
    sender.send(str(WORKER), Reply("\n\n".join(paragraphs), (Button("入会", "入会"),)))
    parts = fake.messages_to(WORKER)[before:]
    assert len(parts) == 3
    assert all(len(part["text"]) <= 4096 for part in parts)
    assert "\n\n".join(part["text"] for part in parts) == "\n\n".join(paragraphs)
    assert all(part["text"].startswith("第") for part in parts)
    assert [part["reply_markup"] is not None for part in parts] == [False, False, True]


def test_a_blocked_bot_is_a_delivery_error_in_plain_words(fake: FakeTelegram, sender: TelegramSender) -> None:
    fake.blocked_chats.add(WORKER)
    with pytest.raises(DeliveryError) as raised:
        sender.send(str(WORKER), Reply("你好"))
    assert "blocked the bot" in raised.value.reason and "bot was blocked by the user" in raised.value.reason


def test_a_chat_that_never_wrote_is_a_delivery_error(fake: FakeTelegram, sender: TelegramSender) -> None:
    with pytest.raises(DeliveryError, match="Chat not found"):
        sender.send("987654", Reply("你好"))


def test_a_wrong_token_is_reported_without_printing_it(api, tmp_path) -> None:
    with pytest.raises(DeliveryError) as raised:
        sender_for(tmp_path, api[1], token="7000001:WrongSecretPart").send(str(WORKER), Reply("你好"))
    assert "TELEGRAM_TOKEN" in raised.value.reason and "WrongSecretPart" not in str(raised.value)


def test_an_unreachable_api_is_a_delivery_error(tmp_path) -> None:
    with pytest.raises(DeliveryError, match="unreachable"):
        sender_for(tmp_path, f"http://127.0.0.1:{free_port()}/bot").send(str(WORKER), Reply("你好"))
