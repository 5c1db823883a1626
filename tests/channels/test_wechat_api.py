"""Customer-service messages and the menu against a local server that behaves like WeChat's API."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.wechat import menu_layout
from bot.channels.wechat_api import WeChatSender
from core.messages import Button, Reply
from core.outbound import DeliveryError, QuotaExceeded, WindowClosed
from core.cache import SharedCache
from core.db import Database
from support.fake_wechat_api import FakeWeChatApi, fake_wechat_api, openid
from support.knowledge import make_settings
from support.server import free_port

EXE = Path(sys.executable).parent / "union-assistant"


@pytest.fixture
def fake_api() -> Iterator[tuple[FakeWeChatApi, str]]:
    with fake_wechat_api() as running:
        yield running


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    Database(url).migrate()
    return url


def sender(tmp_path: Path, fake_api, database_url: str, **overrides: str) -> WeChatSender:
    """A sender with its own database connection, as another process would have."""
    fake, api_url = fake_api
    values = {"wechat_app_id": fake.app_id, "wechat_app_secret": fake.secret, "wechat_api_base_url": api_url}
    settings = make_settings(tmp_path, database_url=database_url, **(values | overrides))
    return WeChatSender.from_settings(settings, SharedCache(Database(database_url)))


def test_token_is_fetched_once_and_shared(tmp_path, fake_api, database_url) -> None:
    fake, _url = fake_api
    first, second = sender(tmp_path, fake_api, database_url), sender(tmp_path, fake_api, database_url)
    first.send(openid("a"), Reply("你好。"))
    second.send(openid("b"), Reply("你好。"))
    first.send(openid("a"), Reply("再见。"))
    assert fake.token_fetches == 1
    assert fake.texts_to(openid("a")) == ["你好。", "再见。"] and fake.texts_to(openid("b")) == ["你好。"]


def test_expired_token_is_refreshed_once_and_shared_again(tmp_path, fake_api, database_url) -> None:
    fake, _url = fake_api
    first, second = sender(tmp_path, fake_api, database_url), sender(tmp_path, fake_api, database_url)
    first.send(openid("a"), Reply("一。"))
    fake.expire_tokens()
    second.send(openid("a"), Reply("二。"))  # 42001, refresh, retry
    first.send(openid("a"), Reply("三。"))  # the refreshed token from the shared cache
    assert fake.token_fetches == 2
    assert fake.texts_to(openid("a")) == ["一。", "二。", "三。"]


def test_rejected_token_is_refreshed_only_once(tmp_path, fake_api, database_url) -> None:
    fake, _url = fake_api
    first = sender(tmp_path, fake_api, database_url)
    first.send(openid("a"), Reply("一。"))
    fake.reset_secret("new-secret")  # every token is now invalid (40001) and the old secret too (40125)
    with pytest.raises(DeliveryError, match="40125"):
        first.send(openid("a"), Reply("二。"))
    assert fake.token_fetches == 1 and fake.texts_to(openid("a")) == ["一。"]


def test_platform_refusals_map_to_delivery_errors(tmp_path, fake_api, database_url) -> None:
    fake, _url = fake_api
    wechat = sender(tmp_path, fake_api, database_url)
    fake.close_window(openid("away"))
    fake.spend_quota(openid("chatty"))
    with pytest.raises(WindowClosed):
        wechat.send(openid("away"), Reply("调解员回复了你的问题。"))
    with pytest.raises(QuotaExceeded):
        wechat.send(openid("chatty"), Reply("调解员回复了你的问题。"))
    with pytest.raises(DeliveryError, match="40003") as other:
        wechat.send("not-an-openid", Reply("调解员回复了你的问题。"))
    assert type(other.value) is DeliveryError


def test_wrong_secret_is_a_delivery_error(tmp_path, fake_api, database_url) -> None:
    with pytest.raises(DeliveryError, match="40125"):
        sender(tmp_path, fake_api, database_url, wechat_app_secret="wrong").send(openid("a"), Reply("你好。"))


def test_unreachable_api_is_a_delivery_error(tmp_path, fake_api, database_url) -> None:
    closed = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(DeliveryError, match="unreachable"):
        sender(tmp_path, fake_api, database_url, wechat_api_base_url=closed).send(openid("a"), Reply("你好。"))


def test_messages_are_fitted_like_passive_replies(tmp_path, fake_api, database_url) -> None:
    fake, _url = fake_api
    reply = Reply("很长的一句话。" * 200, (Button("找调解员", "维权求助"),))
    sender(tmp_path, fake_api, database_url).send(openid("a"), reply)
    [text] = fake.texts_to(openid("a"))
    assert len(text.encode()) <= 1500 and text.endswith("……\n\n回复数字：\n1. 找调解员")


def run_cli(tmp_path: Path, database_url: str, **env: str) -> subprocess.CompletedProcess:
    environment = os.environ | {"DATA_DIR": str(tmp_path), "DATABASE_URL": database_url} | env
    return subprocess.run([str(EXE), "wechat", "menu", "push"], env=environment, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_menu_push_sets_the_menu_with_the_shared_token(tmp_path, fake_api, database_url) -> None:
    fake, api_url = fake_api
    sender(tmp_path, fake_api, database_url).send(openid("a"), Reply("你好。"))  # this process fetches the token
    result = run_cli(tmp_path, database_url, WECHAT_APP_ID=fake.app_id, WECHAT_APP_SECRET=fake.secret,
                     WECHAT_API_BASE_URL=api_url)
    assert result.returncode == 0, result.stderr
    assert "Menu pushed: 法律咨询 / 维权求助 / 工会服务 (活动报名 / 服务站点 / 入会)" in result.stdout
    assert fake.menus == [menu_layout()]
    assert fake.token_fetches == 1  # the CLI process used the token from the shared cache


def test_menu_push_reports_refusal_and_missing_settings(tmp_path, fake_api, database_url) -> None:
    fake, api_url = fake_api
    refused = run_cli(tmp_path, database_url, WECHAT_APP_ID=fake.app_id, WECHAT_APP_SECRET="wrong",
                      WECHAT_API_BASE_URL=api_url)
    assert refused.returncode == 1 and "40125" in refused.stderr
    unset = run_cli(tmp_path, database_url, WECHAT_APP_ID="", WECHAT_APP_SECRET="", WECHAT_API_BASE_URL=api_url)
    assert unset.returncode == 2 and "WECHAT_APP_ID" in unset.stderr
    assert fake.menus == []
