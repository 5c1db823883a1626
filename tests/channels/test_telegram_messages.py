"""Translation between Telegram's updates (as the fake Bot API builds them) and the engine's envelope."""

from telegram import Update

from bot.channels.telegram import file_url, keyboard, messages_for, split_text, to_inbound
from core.messages import Button, Channel, Inbound, InboundKind, Reply
from support.fake_telegram import FakeTelegram

CHAT = 5550001


def inbound(update: dict) -> Inbound | None:
    return to_inbound(Update.de_json(update, None))


def test_updates_become_the_engines_envelope() -> None:
    fake = FakeTelegram()
    user = str(CHAT)
    assert inbound(fake.text(CHAT, "加班费怎么算")) == Inbound.text_message(Channel.TELEGRAM, user, "加班费怎么算")
    assert inbound(fake.command(CHAT, "/start")) == Inbound(Channel.TELEGRAM, user, InboundKind.SUBSCRIBE)
    assert inbound(fake.command(CHAT, "/start from-poster")).kind is InboundKind.SUBSCRIBE
    help_ = Inbound.text_message(Channel.TELEGRAM, user, "帮助")
    assert inbound(fake.command(CHAT, "/help@union_assistant_test_bot")) == help_
    assert inbound(fake.location(CHAT, 39.0352, 117.7905)) == Inbound(
        Channel.TELEGRAM, user, InboundKind.LOCATION, latitude=39.0352, longitude=117.7905
    )
    for kind in ("photo", "voice", "video", "document", "sticker"):
        assert inbound(fake.media(CHAT, kind)) == Inbound(Channel.TELEGRAM, user, InboundKind.MEDIA)
    menu = {"message": {"message_id": 9, "date": 0, "chat": {"id": CHAT, "type": "private"}, "text": "菜单"}}
    assert inbound(fake.press(CHAT, menu, "服务站点")) == Inbound.text_message(Channel.TELEGRAM, user, "服务站点")


def test_a_slash_that_is_not_a_command_is_text() -> None:
    assert inbound(FakeTelegram().text(CHAT, "/start")).kind is InboundKind.TEXT  # no bot_command entity


def test_what_the_engine_cannot_answer_is_left_alone() -> None:
    fake = FakeTelegram()
    contact = fake.text(CHAT, "")
    contact["message"] |= {"contact": {"phone_number": "13812345678", "first_name": "张三"}}
    del contact["message"]["text"]
    assert inbound(contact) is None
    edited = fake.text(CHAT, "改过的话")
    edited["edited_message"] = edited.pop("message") | {"edit_date": 1}
    assert inbound(edited) is None


def test_buttons_send_their_payload_or_their_number_when_it_is_too_long() -> None:
    long_payload = "我想咨询一下关于劳动合同到期不续签的经济补偿问题"  # 24 characters, 72 bytes
    reply = Reply("请选择：", (Button("到期不续签", long_payload), Button("入会", "入会")), link="https://example.org/a")
    rows = keyboard(reply, remembered=True).to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "到期不续签", "callback_data": "1"}, {"text": "入会", "callback_data": "入会"}],
        [{"text": "查看全文", "url": "https://example.org/a"}],
    ]
    assert keyboard(Reply("说明", link="https://example.org/a", link_label="查看条文"), True).to_dict() == {
        "inline_keyboard": [[{"text": "查看条文", "url": "https://example.org/a"}]]
    }
    assert keyboard(Reply("没有按钮"), True) is None
    assert keyboard(Reply("只有本站路径", link="/laws/劳动法/50"), True) is None, "Telegram needs a full address"


def test_long_texts_are_split_between_paragraphs_then_lines() -> None:
    paragraph = "用人单位应当按时足额支付劳动报酬。" * 100  # 1,700 characters
    parts = split_text("\n\n".join([paragraph] * 5))
    assert [len(part) for part in parts] == [3402, 3402, 1700]
    one_paragraph = "\n".join(["第一行的内容。" * 100] * 9)  # no blank lines: cut between lines
    assert all(len(part) <= 4096 and not part.startswith("\n") for part in split_text(one_paragraph))
    assert "\n".join(split_text(one_paragraph)) == one_paragraph


def test_a_single_huge_line_is_cut_by_length_never_inside_a_character() -> None:
    line = "工" * 5000 + "👷" * 3000  # the emoji count twice in Telegram's UTF-16 length
    parts = split_text(line)
    assert "".join(parts) == line
    assert all(len(part.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert len(parts) == 3


def test_the_keyboard_goes_under_the_last_part() -> None:
    reply = Reply("甲" * 4000 + "\n\n" + "乙" * 200, (Button("入会", "入会"),))
    messages = messages_for(reply, remembered=True)
    assert [(len(text), markup is not None) for text, markup in messages] == [(4000, False), (200, True)]


def test_file_url_sits_beside_the_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
