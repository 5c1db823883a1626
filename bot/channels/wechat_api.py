"""WeChat's customer-service message API: answers that missed the 5-second window, and messages that are
not replies (a mediator's answer, a reminder); also the custom menu.

The access token lives in the shared cache, so every process and app worker uses the same one: WeChat
caps token fetches per day, and each fetch starts retiring the previous token.
"""

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.channels.wechat import fit
from core.messages import Channel, Reply
from core.outbound import DeliveryError, QuotaExceeded, WindowClosed
from core.wording import render
from core.cache import SharedCache
from core.logs import mask_user_id
from core.settings import Settings

logger = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired
WINDOW_CLOSED = 45015
QUOTA_EXCEEDED = 45047
TOKEN_MARGIN_SECONDS = 300  # drop a cached token this long before WeChat does
TIMEOUT_SECONDS = 10.0


class CacheSession(SessionStorage):
    """wechatpy's session storage on `SharedCache`, shared by every process on the database."""

    def __init__(self, cache: SharedCache, prefix: str = "wechatpy:") -> None:
        self.cache = cache
        self.prefix = prefix

    def get(self, key: str, default: Any = None) -> Any:
        value = self.cache.get(self.prefix + key)
        return default if value is None else json.loads(value)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        expiry = None if ttl is None else timedelta(seconds=max(int(ttl) - TOKEN_MARGIN_SECONDS, 1))
        self.cache.set(self.prefix + key, json.dumps(value), expiry)

    def delete(self, key: str) -> None:
        self.cache.delete(self.prefix + key)


class _TimedSession(requests.Session):
    """wechatpy fetches tokens without a timeout; a hanging API must not hold a worker thread forever."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> requests.Response:
        return super().request(*args, timeout=timeout or TIMEOUT_SECONDS, **kwargs)


class ApiClient(WeChatClient):
    """WeChatClient with every call, the token fetch included, going to the configured base URL."""

    def __init__(self, base_url: str, app_id: str, secret: str, session: SessionStorage) -> None:
        super().__init__(app_id, secret, session=session, timeout=TIMEOUT_SECONDS, auto_retry=False)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        self._http = _TimedSession()

    def fetch_access_token(self) -> dict:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        return self._fetch_access_token(url=self.API_BASE_URL + "token", params=params)


class WeChatSender:
    """The `Sender` for WeChat: text customer-service messages, fitted like passive replies."""

    channel = Channel.WECHAT

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings, cache: SharedCache) -> "WeChatSender":
        session = CacheSession(cache)
        client = ApiClient(settings.wechat_api_base_url, settings.wechat_app_id, settings.wechat_app_secret, session)
        return cls(client)

    def send(self, user_id: str, reply: Reply) -> None:
        self._call(lambda: self.client.message.send_text(user_id, fit(reply)))
        logger.info("wechat customer-service message sent to %s", mask_user_id(user_id))

    def send_notice(self, user_id: str, template_id: str, number: str) -> None:
        """A template message, which WeChat delivers outside the 48-hour window, asking the worker to write."""
        data = json.loads(render("wechat_notice.j2", number=number))
        self._call(lambda: self.client.message.send_template(user_id, template_id, data))
        logger.info("wechat template notice sent to %s", mask_user_id(user_id))

    def push_menu(self, layout: dict) -> None:
        self._call(lambda: self.client.menu.create(layout))

    def _call(self, request: Callable[[], dict]) -> dict:
        """One API call; an expired or invalid token is refreshed once and the call retried."""
        try:
            used = self.client.access_token
            try:
                return request()
            except WeChatClientException as error:
                if error.errcode not in TOKEN_ERRORS:
                    raise
                self._refresh(used)
                return request()
        except WeChatClientException as error:
            raise _delivery_error(error) from error
        except requests.RequestException as error:
            raise DeliveryError(f"WeChat API unreachable ({type(error).__name__})") from error

    def _refresh(self, used: str | None) -> None:
        """Another process may have refreshed already; fetch only when the cache still holds the bad token."""
        if self.client.session.get(self.client.access_token_key) in (None, used):
            logger.info("wechat access token rejected; fetching a new one")
            self.client.fetch_access_token()


def _delivery_error(error: WeChatClientException) -> DeliveryError:
    if error.errcode == WINDOW_CLOSED:
        return WindowClosed("the worker has not written to the account in the last 48 hours")
    if error.errcode == QUOTA_EXCEEDED:
        return QuotaExceeded("the message limit since the worker's last message is reached")
    if error.errcode is None:
        return DeliveryError("WeChat API answered with an HTTP error")
    return DeliveryError(f"WeChat refused the message ({error.errcode}: {error.errmsg})")
