"""The bot lives and dies with the app: absent without a token, and never what keeps the app from serving."""

import httpx

from api.app import create_app
from support.fake_telegram import TOKEN, FakeTelegram, fake_telegram
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import free_port, serving

SECRET = "startup-secret"


def settings_for(fixture_kb, tmp_path, **overrides):
    return make_settings(
        fixture_kb.private_data_dir(),
        cards_dir=FIXTURE_CARDS,
        database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        **overrides,
    )


def test_without_a_token_there_is_no_bot_and_the_webhook_is_404(fixture_kb, tmp_path) -> None:
    app = create_app(settings_for(fixture_kb, tmp_path, telegram_webhook_secret=SECRET))
    with serving(app) as url:
        assert app.state.telegram is None
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = httpx.post(f"{url}/telegram/webhook", json={"update_id": 1}, headers=headers)
        assert response.status_code == 404
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_unreachable_telegram_neither_stops_the_app_nor_loses_the_update(fixture_kb, tmp_path) -> None:
    """Telegram retries a delivery answered 503; once the Bot API answers again, so does the bot."""
    port = free_port()
    settings = settings_for(
        fixture_kb, tmp_path, telegram_token=TOKEN, telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        telegram_webhook_secret=SECRET,
    )
    update = FakeTelegram().text(123456789, "干满一年有没有年假")
    app = create_app(settings)
    with serving(app) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert httpx.post(f"{url}/telegram/webhook", json=update, headers=headers).status_code == 503
        with fake_telegram(port) as (fake, _):
            fake.webhook = {"url": f"{url}/telegram/webhook", "secret_token": SECRET}
            fake.known_chats.add(123456789)
            assert fake.push(update).status_code == 200
            [message] = fake.messages_to(123456789)
            assert "《示例职工权益条例》第四条" in message["text"]
