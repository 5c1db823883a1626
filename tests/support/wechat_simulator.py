"""WeChat's side of the Official Account callback, written from WeChat's published protocol with the
`cryptography` package and the standard library (not with wechatpy, so tests of the endpoint are not
circular).

Messages are XML with CDATA text fields. The query carries signature = sha1 of the sorted token,
timestamp and nonce. In safe mode the body is <xml><ToUserName/><Encrypt/></xml>, where Encrypt is
base64(AES-256-CBC(16 random bytes + 4-byte big-endian length + XML + AppId, PKCS#7 to 32-byte blocks))
with key = base64(EncodingAESKey + "=") and IV = the key's first 16 bytes, and msg_signature = sha1 of
the sorted token, timestamp, nonce and Encrypt. The server's reply comes back in the same form.
"""

import base64
import hashlib
import itertools
import os
import secrets
import struct
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from api.app import create_app
from api.services import Services
from core.settings import Settings
from support.server import serving

BLOCK = 32


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def new_aes_key() -> str:
    """An EncodingAESKey as the admin console makes them: 43 characters of base64."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass
class WeChatPlatform:
    """Builds, signs and encrypts what WeChat posts, and opens and verifies what the server answers."""

    token: str
    app_id: str
    aes_key: str = ""
    account: str = "gh_0123456789ab"
    msg_ids: itertools.count = field(default_factory=lambda: itertools.count(time.time_ns() // 1000 * 1000))

    @property
    def safe(self) -> bool:
        return bool(self.aes_key)

    # --- messages, field by field as WeChat sends them ---

    def xml(self, user: str, msg_type: str, fields: list[tuple[str, str | int | float]],
            create_time: int | None = None) -> str:
        head = [("ToUserName", self.account), ("FromUserName", user),
                ("CreateTime", create_time or int(time.time())), ("MsgType", msg_type)]
        nodes = [f"<{name}>{cdata(value) if isinstance(value, str) else value}</{name}>" for name, value in head + fields]
        return "<xml>" + "".join(nodes) + "</xml>"

    def text_xml(self, user: str, content: str, msg_id: int | None = None) -> str:
        return self.xml(user, "text", [("Content", content), ("MsgId", msg_id or next(self.msg_ids))])

    def location_xml(self, user: str, latitude: float, longitude: float, label: str = "") -> str:
        fields = [("Location_X", latitude), ("Location_Y", longitude), ("Scale", 15), ("Label", label),
                  ("MsgId", next(self.msg_ids))]
        return self.xml(user, "location", fields)

    def media_xml(self, user: str, kind: str) -> str:
        media = [("MediaId", secrets.token_urlsafe(16))]
        extra = {
            "image": [("PicUrl", "http://mmbiz.qpic.cn/example.jpg")],
            "voice": [("Format", "amr")],
            "video": [("ThumbMediaId", secrets.token_urlsafe(16))],
            "shortvideo": [("ThumbMediaId", secrets.token_urlsafe(16))],
        }[kind]
        return self.xml(user, kind, media + extra + [("MsgId", next(self.msg_ids))])

    def event_xml(self, user: str, event: str, key: str | None = None, create_time: int | None = None) -> str:
        fields: list[tuple[str, str | int | float]] = [("Event", event)]
        if key is not None:
            fields.append(("EventKey", key))
        return self.xml(user, "event", fields, create_time)

    # --- the HTTP request WeChat makes ---

    def request(self, xml: str, openid: str = "", timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """Query parameters and body for POST /wechat."""
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        params = {"signature": sha1_signature(self.token, timestamp_text, nonce), "timestamp": timestamp_text,
                  "nonce": nonce, "openid": openid}
        if not self.safe:
            return params, xml.encode()
        encrypted = self.encrypt(xml)
        params |= {"encrypt_type": "aes", "msg_signature": sha1_signature(self.token, timestamp_text, nonce, encrypted)}
        body = f"<xml><ToUserName>{cdata(self.account)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        return params, body.encode()

    def verification(self, echostr: str, timestamp: int | None = None) -> dict[str, str]:
        """Query parameters of WeChat's GET that checks the server address."""
        timestamp_text = str(timestamp if timestamp is not None else int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        return {"signature": sha1_signature(self.token, timestamp_text, nonce), "timestamp": timestamp_text,
                "nonce": nonce, "echostr": echostr}

    # --- AES as WeChat does it ---

    def _cipher(self) -> Cipher:
        key = base64.b64decode(self.aes_key + "=")
        return Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def encrypt(self, xml: str) -> str:
        data = xml.encode()
        plain = os.urandom(16) + struct.pack(">I", len(data)) + data + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise ValueError("bad PKCS#7 padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        if content[4 + length:].decode() != self.app_id:
            raise ValueError("reply encrypted for another app id")
        return content[4:4 + length].decode()

    # --- the server's answer ---

    def open_reply(self, body: bytes) -> dict[str, str] | None:
        """The passive reply's fields (signature checked, decrypted in safe mode); None for `success`/empty."""
        text = body.decode()
        if text in ("", "success"):
            return None
        root = ElementTree.fromstring(text)
        if self.safe:
            encrypted = root.findtext("Encrypt") or ""
            expected = sha1_signature(self.token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "",
                                      encrypted)
            if root.findtext("MsgSignature") != expected:
                raise ValueError("reply MsgSignature does not verify")
            root = ElementTree.fromstring(self.decrypt(encrypted))
        return {child.tag: child.text or "" for child in root}


@dataclass
class Delivery:
    response: httpx.Response
    reply: dict[str, str] | None

    @property
    def content(self) -> str | None:
        return self.reply["Content"] if self.reply else None


class WeChatSimulator:
    """Drives a real /wechat endpoint over HTTP the way WeChat's servers do."""

    def __init__(self, base_url: str, platform: WeChatPlatform, timeout: float = 10.0) -> None:
        self.platform = platform
        self.http = httpx.Client(base_url=base_url, timeout=timeout)

    def post(self, xml: str, openid: str = "", timestamp: int | None = None) -> Delivery:
        params, body = self.platform.request(xml, openid, timestamp)
        response = self.http.post("/wechat", params=params, content=body, headers={"content-type": "text/xml"})
        reply = self.platform.open_reply(response.content) if response.status_code == 200 else None
        return Delivery(response, reply)

    def text(self, user: str, content: str, msg_id: int | None = None) -> Delivery:
        return self.post(self.platform.text_xml(user, content, msg_id), user)

    def location(self, user: str, latitude: float, longitude: float, label: str = "") -> Delivery:
        return self.post(self.platform.location_xml(user, latitude, longitude, label), user)

    def media(self, user: str, kind: str = "image") -> Delivery:
        return self.post(self.platform.media_xml(user, kind), user)

    def event(self, user: str, event: str, key: str | None = None, create_time: int | None = None) -> Delivery:
        return self.post(self.platform.event_xml(user, event, key, create_time), user)

    def close(self) -> None:
        self.http.close()


@contextmanager
def wechat_app(settings: Settings, port: int | None = None) -> Iterator[tuple[Services, WeChatSimulator]]:
    """The real app on a loopback port with a simulated WeChat account pointed at it."""
    app = create_app(settings)
    with serving(app, port) as url:
        services: Services = app.state.services
        platform = WeChatPlatform(settings.wechat_token, settings.wechat_app_id, settings.wechat_aes_key)
        simulator = WeChatSimulator(url, platform)
        try:
            yield services, simulator
        finally:
            simulator.close()
