"""The web channel: what the page posts and gets back, and its sender, over a real SQLite database."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from api.schemas.chat import ChatIn, ReplyOut, UpdateOut
from bot.channels.web import WebSender, new_session_id
from core.messages import Button, Channel, InboundKind, Reply
from core.outbound import DeliveryError, Outbound
from core import webchat
from core.db import Database
from core.transcript import Author


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    database.migrate()
    return database


def test_text_menu_and_location_become_inbound_messages() -> None:
    user = new_session_id()
    text = ChatIn.model_validate({"text": "  干满一年有没有年假 \n"}).inbound(user)
    assert (text.channel, text.user_id, text.kind) == (Channel.WEB, user, InboundKind.TEXT)
    assert text.text == "干满一年有没有年假"
    menu = ChatIn.model_validate({"menu": "STATIONS"}).inbound(user)
    assert (menu.kind, menu.menu_key) == (InboundKind.MENU, "STATIONS")
    place = ChatIn.model_validate({"latitude": 39.0352, "longitude": 117.7905}).inbound(user)
    assert (place.kind, place.latitude, place.longitude) == (InboundKind.LOCATION, 39.0352, 117.7905)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": " \n "},
        {"text": "长" * 1001},
        {"longitude": 117.0},
        {"latitude": -90.01, "longitude": 0},
        {"latitude": 0, "longitude": 180.01},
        {"text": "年假", "menu": "LEGAL"},
        {"menu": "stations"},
        {"text": "年假", "extra": 1},
    ],
)
def test_what_the_page_cannot_send_is_refused(body: dict) -> None:
    with pytest.raises(ValidationError):
        ChatIn.model_validate(body)


def test_session_ids_are_unique_and_url_safe() -> None:
    ids = {new_session_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


def test_replies_keep_buttons_and_only_web_links() -> None:
    reply = Reply("原文如下", (Button("找调解员", "维权求助"),), "https://union.example/laws/劳动法/1", "查看条文")
    out = ReplyOut.of(reply)
    assert out.model_dump() == {
        "text": "原文如下",
        "buttons": [{"label": "找调解员", "payload": "维权求助"}],
        "link": "https://union.example/laws/劳动法/1",
        "link_label": "查看条文",
    }
    assert ReplyOut.of(Reply("x", link="/laws/劳动法/1")).link == "/laws/劳动法/1"
    for unsafe in ("javascript:alert(1)", "data:text/html,<b>x</b>", "//evil.example/x", "/\\evil.example"):
        out = ReplyOut.of(Reply("x", link=unsafe, link_label="点我"))
        assert (out.link, out.link_label) == (None, None)


def test_sender_posts_to_the_outbox_of_that_session_only(database: Database) -> None:
    worker, stranger = new_session_id(), new_session_id()
    outbound = Outbound()
    outbound.register(WebSender(database))
    assert webchat.latest(database, worker) == 0
    outbound.send(Channel.WEB, worker, Reply("调解员回复了你", (Button("好的", "谢谢"),), "/laws/劳动法/50"))
    outbound.send(Channel.WEB, worker, Reply("别忘了明天的调解", link="javascript:alert(1)"))

    first, second = webchat.since(database, worker, 0)
    assert UpdateOut.of_message(first).model_dump() == {
        "id": first.id,
        "text": "调解员回复了你",
        "buttons": [{"label": "好的", "payload": "谢谢"}],
        "link": "/laws/劳动法/50",
        "link_label": None,
        "author": "bot",
    }
    assert second.link is None
    assert webchat.latest(database, worker) == second.id
    assert webchat.since(database, stranger, 0) == [] and webchat.latest(database, stranger) == 0


def test_a_mediators_words_are_marked_as_theirs_in_the_outbox(db: Database) -> None:
    """On SQLite and PostgreSQL (migration 0007): the page shows a mediator's message apart from the bot's."""
    worker = new_session_id()
    sender = WebSender(db)
    sender.send(worker, Reply("【工会调解员 王调解】\n明天上午给你打电话", author=Author.MEDIATOR))
    sender.send(worker, Reply("你的活动明天开始"))
    assert [UpdateOut.of_message(m).author for m in webchat.since(db, worker, 0)] == ["mediator", "bot"]


def test_sender_refuses_what_it_cannot_deliver(database: Database, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="not a web chat session"):
        WebSender(database).send("o" + "x" * 27, Reply("给微信用户的消息"))
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(DeliveryError, match="outbox unavailable"):
        WebSender(unmigrated).send(new_session_id(), Reply("没有表的数据库"))
