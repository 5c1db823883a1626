"""WeChat XML (as the simulator builds it from WeChat's spec) to `Inbound`, and replies fitted to WeChat."""

import xml.etree.ElementTree as ElementTree

import pytest

from bot.channels.wechat import (
    TEXT_LIMIT,
    Envelope,
    Rejected,
    fit,
    menu_layout,
    message_key,
    parse,
    passive_reply,
    to_inbound,
)
from bot.engine import MENU_KEYS
from core.messages import Button, Channel, Inbound, InboundKind, Reply
from support.wechat_simulator import WeChatPlatform, new_aes_key

USER = "oWorker0123456789abcdefghij"
platform = WeChatPlatform("token", "wx-app")


def inbound(xml: str) -> Inbound | None:
    return to_inbound(parse(xml))


def test_messages_and_events_become_inbound() -> None:
    assert inbound(platform.text_xml(USER, "单位拖着不发工资怎么办")) == Inbound(
        Channel.WECHAT, USER, InboundKind.TEXT, text="单位拖着不发工资怎么办"
    )
    located = inbound(platform.location_xml(USER, 39.0352, 117.7905, "东疆"))
    assert (located.kind, located.latitude, located.longitude) == (InboundKind.LOCATION, 39.0352, 117.7905)
    assert inbound(platform.event_xml(USER, "subscribe")).kind is InboundKind.SUBSCRIBE
    assert inbound(platform.event_xml(USER, "subscribe", "qrscene_42")).kind is InboundKind.SUBSCRIBE
    assert inbound(platform.event_xml(USER, "unsubscribe", "")).kind is InboundKind.UNSUBSCRIBE
    click = inbound(platform.event_xml(USER, "CLICK", "STATIONS"))
    assert (click.kind, click.menu_key) == (InboundKind.MENU, "STATIONS")
    view = inbound(platform.event_xml(USER, "VIEW", "https://example.org/chat"))
    assert (view.kind, view.menu_key) == (InboundKind.MENU, "https://example.org/chat")
    for kind in ("image", "voice", "video", "shortvideo"):
        assert inbound(platform.media_xml(USER, kind)) == Inbound(Channel.WECHAT, USER, InboundKind.MEDIA)


def test_recognised_voice_is_read_as_text() -> None:
    xml = platform.xml(USER, "voice", [("MediaId", "m"), ("Format", "amr"), ("Recognition", "年假怎么算"), ("MsgId", 7)])
    assert inbound(xml) == Inbound.text_message(Channel.WECHAT, USER, "年假怎么算")


def test_what_a_worker_did_not_say_is_ignored() -> None:
    assert inbound(platform.event_xml(USER, "LOCATION")) is None  # periodic location report
    assert inbound(platform.event_xml(USER, "TEMPLATESENDJOBFINISH")) is None
    assert inbound(platform.xml(USER, "link", [("Title", "t"), ("Url", "https://x"), ("MsgId", 8)])) is None


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><ToUserName>",  # truncated
        "not xml at all",
        "<xml><ToUserName><![CDATA[gh]]></ToUserName></xml>",  # no sender, type or time
        "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><MsgId>abc</MsgId></xml>",  # MsgId not a number
        "<xml/>",
        "",
    ],
)
def test_malformed_xml_is_rejected_with_400(xml: str) -> None:
    with pytest.raises(Rejected) as rejected:
        parse(xml)
    assert rejected.value.status == 400


def test_malformed_location_is_rejected_with_400() -> None:
    xml = platform.xml(USER, "location", [("Location_X", "north"), ("Location_Y", "1"), ("MsgId", 9)])
    with pytest.raises(Rejected) as rejected:
        inbound(xml)
    assert rejected.value.status == 400


def test_retry_key_is_msgid_or_sender_time_and_event() -> None:
    assert message_key(parse(platform.text_xml(USER, "你好", msg_id=6543210987654321))) == "wechat:6543210987654321"
    first = parse(platform.event_xml(USER, "CLICK", "LEGAL", create_time=1700000000))
    again = parse(platform.event_xml(USER, "CLICK", "LEGAL", create_time=1700000000))
    later = parse(platform.event_xml(USER, "CLICK", "LEGAL", create_time=1700000001))
    assert message_key(first) == message_key(again) != message_key(later)
    assert USER in message_key(first)


def test_envelope_checks_signature_and_time_in_both_modes() -> None:
    now = 1_700_000_000
    for aes_key in ("", new_aes_key()):
        sender = WeChatPlatform("token", "wx-app", aes_key)
        envelope = Envelope("token", aes_key, "wx-app")
        xml = sender.text_xml(USER, "你好")
        params, body = sender.request(xml, USER, timestamp=now)
        assert envelope.open(body, params, now=now + 299).content == "你好"
        with pytest.raises(Rejected, match="stale"):
            envelope.open(body, params, now=now + 301)
        with pytest.raises(Rejected) as forged:
            Envelope("other-token", aes_key, "wx-app").open(body, params, now=now)
        assert forged.value.status == 403


def test_safe_mode_rejects_a_message_for_another_app() -> None:
    aes_key = new_aes_key()
    params, body = WeChatPlatform("token", "wx-other", aes_key).request(WeChatPlatform("token", "wx-other").text_xml(USER, "x"))
    with pytest.raises(Rejected) as rejected:
        Envelope("token", aes_key, "wx-app").open(body, params)
    assert rejected.value.status == 403


def test_buttons_become_numbered_lines() -> None:
    text = fit(Reply("需要的话可以找调解员。", (Button("找调解员", "维权求助"), Button("附近服务站", "服务站点"))))
    assert text == "需要的话可以找调解员。\n\n回复数字：\n1. 找调解员\n2. 附近服务站"


def test_long_text_is_cut_at_a_sentence_end_with_the_link() -> None:
    sentence = "工资要按约定的日子发到职工手里，一分也不能少。"
    reply = Reply(sentence * 40, (Button("找调解员", "维权求助"),), link="https://union.example/laws/x/30",
                  link_label="查看条文")
    text = fit(reply)
    assert len(text.encode()) <= TEXT_LIMIT
    body, tail = text.split("……", 1)
    assert body.endswith("。") and sentence * 5 in body
    assert tail == "\n\n查看条文：https://union.example/laws/x/30\n\n回复数字：\n1. 找调解员"


def test_a_path_on_the_app_is_left_out_as_wechat_cannot_open_it() -> None:
    text = fit(Reply("《劳动法》第五十条\n工资每月要用钱发到本人手里。", link="/laws/劳动法/50", link_label="查看条文"))
    assert text == "《劳动法》第五十条\n工资每月要用钱发到本人手里。"


def test_long_text_without_link_keeps_whole_sentences_only() -> None:
    text = fit(Reply("第一句话很短。" + "这是很长的一句话，" * 300 + "结尾。"))
    assert text == "第一句话很短。……"
    unbroken = fit(Reply("没有句号的长文本" * 200))
    assert len(unbroken.encode()) <= TEXT_LIMIT and unbroken.endswith("……")


def test_short_replies_are_unchanged() -> None:
    assert fit(Reply("不客气！还有别的问题随时找我。")) == "不客气！还有别的问题随时找我。"


def test_passive_reply_is_wechat_xml_even_with_cdata_terminator() -> None:
    message = parse(platform.text_xml(USER, "你好"))
    root = ElementTree.fromstring(passive_reply(message, "a]]>b"))
    assert root.findtext("ToUserName") == USER and root.findtext("FromUserName") == platform.account
    assert (root.findtext("MsgType"), root.findtext("Content")) == ("text", "a]]>b")


def test_menu_uses_the_engines_keys_within_wechats_limits() -> None:
    layout = menu_layout()["button"]
    leaves = [sub for button in layout for sub in button.get("sub_button", [button])]
    assert {leaf["key"]: leaf["name"] for leaf in leaves} == {
        key: MENU_KEYS[key] for key in ("LEGAL", "DISPUTE", "EVENTS", "STATIONS", "JOIN")
    }
    assert all(leaf["type"] == "click" for leaf in leaves)
    assert len(layout) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in layout)
