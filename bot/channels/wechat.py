"""WeChat Official Account messages: the signed (in safe mode encrypted) XML envelope, its translation
to `Inbound`, and replies fitted to what WeChat shows.

WeChat truncates long passive texts and has no buttons, so a reply is cut at a sentence end (with its
link, when it has one) and its buttons become numbered lines, which the engine understands as choices.
The 有用 / 没用 buttons are not numbered (the engine does not keep them): a line asks for the word instead.
"""

import hashlib
import json
import re
import struct
import time
from collections.abc import Mapping
from functools import lru_cache
from xml.parsers.expat import ExpatError

from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.utils import check_signature

from bot.feedback import is_feedback
from core.messages import Channel, Inbound, InboundKind, Reply
from core.wording import render
from core.settings import Settings

MAX_SKEW_SECONDS = 300
TEXT_LIMIT = 1500  # UTF-8 bytes; WeChat cuts passive texts a little above 2,000
ELLIPSIS = "……"
MEDIA_TYPES = frozenset({"image", "voice", "video", "shortvideo"})
SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
KEY_LIMIT = 200
UNREADABLE = (ExpatError, ValueError, KeyError, TypeError, IndexError, AttributeError, struct.error)


class Rejected(Exception):
    """A request WeChat did not send (403) or nobody can read (400, 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Envelope:
    """Signature, freshness and (in safe mode) AES of WeChat's callbacks."""

    def __init__(self, token: str, aes_key: str = "", app_id: str = "") -> None:
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    @property
    def safe(self) -> bool:
        return self.crypto is not None

    def verify(self, signature: str, timestamp: str, nonce: str, now: float | None = None) -> None:
        """The plain signature over token, timestamp and nonce, as in URL verification."""
        self._fresh(timestamp, now)
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "invalid signature") from None

    def open(self, body: bytes, params: Mapping[str, str], now: float | None = None) -> BaseMessage:
        """The verified message; in safe mode `msg_signature` covers the encrypted body."""
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        if self.crypto is None:
            self.verify(params.get("signature", ""), timestamp, nonce, now)
            return parse(body)
        self._fresh(timestamp, now)
        try:
            xml = self.crypto.decrypt_message(body, params.get("msg_signature", ""), timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException):
            raise Rejected(403, "invalid msg_signature or app id") from None
        except UNREADABLE:
            raise Rejected(400, "unreadable encrypted message") from None
        return parse(xml)

    def seal(self, reply_xml: str, nonce: str) -> str:
        """The passive reply as WeChat expects it: encrypted and signed in safe mode."""
        return self.crypto.encrypt_message(reply_xml, nonce) if self.crypto else reply_xml

    @staticmethod
    def _fresh(timestamp: str, now: float | None) -> None:
        """A replayed request carries an old timestamp; WeChat's own are seconds old."""
        now = time.time() if now is None else now
        if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
            raise Rejected(403, "stale or missing timestamp")


@lru_cache(maxsize=4)
def _envelope(token: str, aes_key: str, app_id: str) -> Envelope:
    return Envelope(token, aes_key, app_id)


def envelope_for(settings: Settings) -> Envelope:
    """The configured envelope; without a token anyone could sign, so nothing is accepted."""
    if not settings.wechat_token:
        raise Rejected(404, "WeChat is not configured (WECHAT_TOKEN)")
    return _envelope(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)


def parse(xml: bytes | str) -> BaseMessage:
    """wechatpy's message, with the fields every message needs checked up front."""
    try:
        message = parse_message(xml)
        if message is None or not (message.source and message.target and message.time):
            raise ValueError("missing sender, recipient or time")
        int(message.id or 0)  # a non-numeric MsgId raises here, not later when the retry key is made
    except UNREADABLE:
        raise Rejected(400, "malformed XML message") from None
    return message


def to_inbound(message: BaseMessage) -> Inbound | None:
    """The engine's envelope; None for what a worker did not say to us (scans, reports, job results)."""
    user = message.source
    if message.type == "text":
        return Inbound.text_message(Channel.WECHAT, user, message.content or "")
    if message.type == "location":
        try:
            latitude, longitude = float(message.location_x), float(message.location_y)
        except (TypeError, ValueError):
            raise Rejected(400, "malformed location") from None
        return Inbound(Channel.WECHAT, user, InboundKind.LOCATION, latitude=latitude, longitude=longitude)
    if message.type == "voice" and message.recognition:
        return Inbound.text_message(Channel.WECHAT, user, message.recognition)
    if message.type in MEDIA_TYPES:
        return Inbound(Channel.WECHAT, user, InboundKind.MEDIA)
    if message.type == "event":
        return _event(message)
    return None


def _event(message: BaseMessage) -> Inbound | None:
    user = message.source
    if message.event in ("subscribe", "subscribe_scan"):
        return Inbound(Channel.WECHAT, user, InboundKind.SUBSCRIBE)
    if message.event == "unsubscribe":
        return Inbound(Channel.WECHAT, user, InboundKind.UNSUBSCRIBE)
    if message.event == "click":
        return Inbound(Channel.WECHAT, user, InboundKind.MENU, menu_key=message.key)
    if message.event == "view":
        return Inbound(Channel.WECHAT, user, InboundKind.MENU, menu_key=message.url)
    return None


def message_key(message: BaseMessage) -> str:
    """What WeChat keeps across retries: MsgId, or for events sender + CreateTime + event."""
    if message.id:
        return f"wechat:{message.id}"
    key = f"wechat:{message.source}:{message.time}:{getattr(message, 'event', message.type)}"
    return key if len(key) <= KEY_LIMIT else "wechat:" + hashlib.sha1(key.encode()).hexdigest()


def fit(reply: Reply, limit: int = TEXT_LIMIT) -> str:
    """The reply as one WeChat text of at most `limit` bytes: cut at a sentence end, link and choices kept."""
    whole = _render(reply, reply.text)
    if _size(whole) <= limit:
        return whole
    budget = limit - _size(_render(reply, ELLIPSIS))
    return _render(reply, _cut(reply.text, budget) + ELLIPSIS)


def _render(reply: Reply, text: str) -> str:
    link = reply.absolute_link
    choices = [button for button in reply.buttons if not is_feedback(button)]
    rate = len(choices) < len(reply.buttons)
    return render("wechat_reply.j2", text=text, link=link, link_label=reply.link_label, buttons=choices, rate=rate)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, budget: int) -> str:
    """The longest run of whole sentences within budget; a hard cut only when one sentence is too long."""
    kept = ""
    for sentence in SENTENCE_END.split(text):
        if _size(kept + sentence) > budget:
            break
        kept += sentence
    if not kept:
        kept = text.encode("utf-8")[: max(budget, 0)].decode("utf-8", "ignore")
    return kept.rstrip()


def passive_reply(message: BaseMessage, text: str) -> str:
    """wechatpy's TextReply XML; `]]>` in the text is split so it cannot end the CDATA section."""
    return create_reply(text.replace("]]>", "]]]]><![CDATA[>"), message, render=True)


def menu_layout() -> dict:
    """The custom menu from its template; WeChat allows three top buttons of up to five sub-buttons."""
    return json.loads(render("wechat_menu.j2"))
