"""`union-assistant telegram poll` and `set-webhook`, run as an operator would, against the fake Bot API."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.fake_telegram import TOKEN, fake_telegram
from support.knowledge import FIXTURE_CARDS

EXE = Path(sys.executable).parent / "union-assistant"
CHAT = 31337001
SECRET = "cli-secret_42"


def environment(fixture_kb, tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM_")}
    return inherited | {
        "DATA_DIR": str(fixture_kb.private_data_dir()),
        "CARDS_DIR": str(FIXTURE_CARDS),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'poll.sqlite3'}",
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "LOG_LEVEL": "DEBUG",
    } | extra


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [str(EXE), "telegram", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_long_polling_answers_and_stops_cleanly(fixture_kb, tmp_path: Path) -> None:
    with fake_telegram() as (fake, api_url):
        fake.webhook = {"url": "https://example.org/telegram/webhook", "secret_token": SECRET}
        process = subprocess.Popen(
            [str(EXE), "telegram", "poll"], env=environment(fixture_kb, tmp_path, api_url), cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            wait_until(lambda: "getUpdates" in fake.calls or process.poll() is not None)
            assert process.poll() is None and fake.webhook is None  # polling removed the webhook

            fake.enqueue(fake.text(CHAT, "干满一年有没有年假"))
            [answer] = fake.wait_for_messages(CHAT, 1)
            assert answer["text"].startswith("按示例条例，连续工作满一年的职工每年有带薪休假")
            assert "1. 《示例职工权益条例》第四条：“职工连续工作满一年的" in answer["text"]

            fake.enqueue(fake.command(CHAT, "/start"))
            menu = fake.wait_for_messages(CHAT, 2)[1]
            stations = menu["reply_markup"]["inline_keyboard"][0][1]
            assert stations == {"text": "服务站点", "callback_data": "服务站点"}
            press = fake.press(CHAT, menu, stations["callback_data"])
            fake.enqueue(press, fake.location(CHAT, 39.0352, 117.7905))
            asked, listed = fake.wait_for_messages(CHAT, 4)[2:]
            assert asked["text"].startswith("请发送你的位置")
            assert press["callback_query"]["id"] in fake.answered
            assert listed["text"].startswith("离你最近的服务站是东疆职工服务中心（示例），约0.0公里。\n\n1. 东疆职工服务中心（示例）")
        finally:
            process.send_signal(signal.SIGINT)
            _, logs = process.communicate(timeout=30)
        assert process.returncode == 0, logs
        assert fake.updates == []  # the last offset was confirmed: nothing is delivered twice after a restart
    assert "telegram text from" in logs and "telegram location from" in logs
    for private in ("年假", "带薪休假", "服务站", TOKEN.split(":")[1]):
        assert private not in logs


def test_set_webhook_registers_the_url_with_the_secret(fixture_kb, tmp_path: Path) -> None:
    with fake_telegram() as (fake, api_url):
        env = environment(fixture_kb, tmp_path, api_url, TELEGRAM_WEBHOOK_SECRET=SECRET)
        result = run(env, tmp_path, "set-webhook", "https://example.org/telegram/webhook")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "Webhook set: https://example.org/telegram/webhook"
        assert fake.webhook == {
            "url": "https://example.org/telegram/webhook",
            "secret_token": SECRET,
            "allowed_updates": ["message", "callback_query"],
        }

        bad_secret = env | {"TELEGRAM_WEBHOOK_SECRET": "not allowed!"}
        refused = run(bad_secret, tmp_path, "set-webhook", "https://example.org/x")
        assert refused.returncode == 1
        assert "Telegram answered: Secret token contains unallowed characters" in refused.stderr

        guessed = env | {"TELEGRAM_TOKEN": "7000001:Guessed"}
        wrong_token = run(guessed, tmp_path, "set-webhook", "https://example.org/x")
        assert wrong_token.returncode == 1 and "check TELEGRAM_TOKEN" in wrong_token.stderr
        assert "Guessed" not in wrong_token.stderr + wrong_token.stdout


@pytest.mark.parametrize("missing", ["TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_SECRET"])
def test_set_webhook_needs_token_and_secret(fixture_kb, tmp_path: Path, missing: str) -> None:
    env = environment(fixture_kb, tmp_path, "http://127.0.0.1:9/bot", TELEGRAM_WEBHOOK_SECRET=SECRET)
    env.pop(missing)
    result = run(env, tmp_path, "set-webhook", "https://example.org/telegram/webhook")
    assert result.returncode == 2 and f"Set {missing} first" in result.stderr


def test_commands_have_help(tmp_path: Path) -> None:
    for args in (["--help"], ["poll", "--help"], ["set-webhook", "--help"]):
        result = run(dict(os.environ), tmp_path, *args)
        assert result.returncode == 0 and "Usage" in result.stdout
