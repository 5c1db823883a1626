"""The chat page in headless Chromium against the real app on loopback (fixture knowledge base)."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from api.app import create_app
from api.services import Services
from bot.channels.web import WebSender
from core.messages import Button, Reply
from support.browser import Browsing, browsing, chromium, screenshot  # noqa: F401 (fixtures)
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import free_port, serving

pytestmark = pytest.mark.browser

DONGJIANG = {"latitude": 39.0352, "longitude": 117.7905}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@dataclass
class Site:
    url: str
    services: Services

    def reply_to(self, *texts: str) -> str:
        """What the assistant answers the last of these messages in a fresh session (the reference)."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            replies = [client.post("/api/chat", json={"text": text}).json()["replies"] for text in texts][-1]
        return "\n".join(reply["text"] for reply in replies)


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    port = free_port()
    settings = make_settings(
        fixture_kb.settings.data_dir,
        cards_dir=FIXTURE_CARDS,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('chat-page') / 'app.sqlite3'}",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings)
    with serving(app, port) as url:
        yield Site(url, app.state.services)


def open_chat(browsing: Browsing, site: Site, **context_options: object) -> Page:
    page = browsing.page(**context_options)
    page.goto(f"{site.url}/chat")
    expect(bot_messages(page).first).to_contain_text("我是工会的法律和服务小助手")
    return page


def bot_messages(page: Page) -> Locator:
    return page.locator("#messages > li.bot:not(.typing)")


def ask(page: Page, text: str) -> None:
    count = bot_messages(page).count()
    box = page.get_by_label("输入你的问题")
    box.fill(text)
    box.press("Enter")
    expect(bot_messages(page)).to_have_count(count + 1)


def session_of(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "chat_session")


def test_a_typed_question_gets_an_answer_with_its_citation(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)
    box = page.get_by_label("输入你的问题")
    box.fill("干满一年有没有年假")
    box.press("Shift+Enter")  # a new line, not a send
    expect(box).to_have_value("干满一年有没有年假\n")
    box.fill("干满一年有没有年假")
    box.press("Enter")
    expect(page.locator("#messages > li.me").last).to_contain_text("干满一年有没有年假")
    answer = bot_messages(page).nth(1)
    expect(answer).to_contain_text("《示例职工权益条例》第四条")
    expect(answer).to_contain_text("职工连续工作满一年的")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    screenshot(page, "chat-answer")


def test_a_follow_up_button_sends_its_payload(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)
    ask(page, "单位拖着不发工资怎么办")
    button = bot_messages(page).last.get_by_role("button", name="找调解员")
    button.click()
    expect(page.locator("#messages > li.me").last).to_contain_text("找调解员")
    expect(bot_messages(page)).to_have_count(3)
    expected = site.reply_to("单位拖着不发工资怎么办", "维权求助")
    expect(bot_messages(page).last.locator(".bubble")).to_have_text(f"小助手：{expected}")
    screenshot(page, "chat-follow-up")


def test_menu_and_shared_location_list_the_nearest_stations(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site, geolocation=DONGJIANG, permissions=["geolocation"])
    page.get_by_role("navigation", name="常用服务").get_by_role("button", name="服务站点").click()
    expect(bot_messages(page)).to_have_count(2)
    expect(bot_messages(page).last).to_contain_text("告诉我你在哪一带")
    page.get_by_role("button", name="分享我的位置，查找附近的服务站").click()
    expect(page.locator("#messages > li.me").last).to_contain_text("我的位置")
    stations = bot_messages(page).nth(2)
    expect(stations).to_contain_text("离你最近的服务站")
    expect(stations).to_contain_text("1. 东疆职工服务中心（示例）")
    expect(stations).to_contain_text("电话：")
    screenshot(page, "chat-stations")


def test_without_permission_the_location_button_explains(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)  # no geolocation permission granted: the browser denies it
    page.get_by_role("button", name="分享我的位置，查找附近的服务站").click()
    expect(bot_messages(page).last).to_contain_text("没能获取到你的位置")
    expect(page.get_by_role("button", name="分享我的位置，查找附近的服务站")).to_be_enabled()


def test_an_outbox_message_appears_within_seconds(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)
    other = open_chat(browsing, site)
    reply = Reply(
        "你好，我是调解员王老师。你的欠薪问题我们已经受理，明天上午会给你打电话。",
        (Button("好的", "谢谢"),),
        "/laws/示例职工权益条例/3",
    )
    started = time.monotonic()
    WebSender(site.services.database).send(session_of(page), reply)
    message = bot_messages(page).last
    expect(message).to_contain_text("调解员王老师", timeout=8_000)
    delay = time.monotonic() - started
    link = message.get_by_role("link", name="查看详情")
    expect(link).to_have_attribute("href", f"{site.url}/laws/{quote('示例职工权益条例')}/3")
    message.get_by_role("button", name="好的").click()
    expect(bot_messages(page)).to_have_count(3)
    assert delay < 8
    other.wait_for_timeout(3_500)  # more than one poll interval
    expect(bot_messages(other)).to_have_count(1)
    screenshot(page, "chat-outbox")


def test_markup_in_questions_and_messages_is_shown_as_text(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)
    question = '<script>window.injected = 1</script><img src=x onerror="window.injected = 2">年假<b>几天</b>'
    ask(page, question)
    expect(page.locator("#messages > li.me").last).to_contain_text(question)
    notice = '<img src=x onerror="window.injected = 3">通知'
    WebSender(site.services.database).send(session_of(page), Reply(notice))
    expect(bot_messages(page).last).to_contain_text(notice, timeout=8_000)
    assert page.locator("#messages script, #messages img, #messages b").count() == 0
    assert page.evaluate("window.injected") is None


def test_the_full_text_link_opens_the_article_and_back_keeps_the_chat(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site)
    ask(page, "干满一年有没有年假")
    ask(page, "原文1")
    bot_messages(page).last.get_by_role("link", name="查看条文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("《示例职工权益条例》第四条")
    expect(page.locator(".article-text")).to_contain_text("职工连续工作满一年的，每年享有带薪休假七天。")
    screenshot(page, "law-article")
    page.go_back()
    expect(bot_messages(page)).to_have_count(3)
    expect(bot_messages(page).nth(1)).to_contain_text("《示例职工权益条例》第四条")


def test_on_a_phone_the_page_fits_and_the_input_stays_in_view(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site, **PHONE)
    for question in ("干满一年有没有年假", "单位拖着不发工资怎么办", "原文1"):
        ask(page, question)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Only the message list scrolls: the page itself neither scrolls sideways nor down.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    box = page.get_by_label("输入你的问题").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"]
    expect(page.get_by_role("button", name="发送")).to_be_in_viewport()
    expect(bot_messages(page).last).to_be_in_viewport()
    screenshot(page, "chat-phone")
