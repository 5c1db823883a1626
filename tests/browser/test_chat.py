"""The chat page in headless Chromium against the real app on loopback (fixture knowledge base)."""

import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.channels.web import WebSender
from core.conversations import load_conversation
from core.messages import Button, Reply
from core.tickets import Category, Deadline, Intake, assign, open_ticket
from core.users import Role, User, create_user
from support.browser import (  # noqa: F401 (fixtures)
    PHONE,
    VIEWPORTS,
    Browsing,
    ask,
    bot_messages,
    browsing,
    chromium,
    contrasts,
    open_chat,
    overflow,
    screenshot,
)
from support.console import Site as ServedSite
from support.console import serve_site

pytestmark = pytest.mark.browser

DONGJIANG = {"latitude": 39.0352, "longitude": 117.7905}


class Site(ServedSite):
    def reply_to(self, *texts: str) -> str:
        """What the assistant answers the last of these messages in a fresh session (the reference)."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            replies = [client.post("/api/chat", json={"text": text}).json()["replies"] for text in texts][-1]
        return "\n".join(reply["text"] for reply in replies)


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "chat-page", Site, staff=(), own_address=True) as site:
        yield site


def session_of(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "chat_session")


def test_a_typed_question_gets_an_answer_with_its_citation(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url)
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
    page = open_chat(browsing, site.url)
    ask(page, "单位拖着不发工资怎么办")
    button = bot_messages(page).last.get_by_role("button", name="找调解员")
    button.click()
    expect(page.locator("#messages > li.me").last).to_contain_text("找调解员")
    expect(bot_messages(page)).to_have_count(3)
    expected = site.reply_to("单位拖着不发工资怎么办", "维权求助")
    expect(bot_messages(page).last.locator(".bubble")).to_have_text(f"小助手：{expected}")
    screenshot(page, "chat-follow-up")


def test_menu_and_shared_location_list_the_nearest_stations(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url, geolocation=DONGJIANG, permissions=["geolocation"])
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
    page = open_chat(browsing, site.url)  # no geolocation permission granted: the browser denies it
    page.get_by_role("button", name="分享我的位置，查找附近的服务站").click()
    expect(bot_messages(page).last).to_contain_text("没能获取到你的位置")
    expect(page.get_by_role("button", name="分享我的位置，查找附近的服务站")).to_be_enabled()


def test_an_outbox_message_appears_within_seconds(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url)
    other = open_chat(browsing, site.url)
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
    page = open_chat(browsing, site.url)
    question = '<script>window.injected = 1</script><img src=x onerror="window.injected = 2">年假<b>几天</b>'
    ask(page, question)
    expect(page.locator("#messages > li.me").last).to_contain_text(question)
    notice = '<img src=x onerror="window.injected = 3">通知'
    WebSender(site.services.database).send(session_of(page), Reply(notice))
    expect(bot_messages(page).last).to_contain_text(notice, timeout=8_000)
    assert page.locator("#messages script, #messages img, #messages b").count() == 0
    assert page.evaluate("window.injected") is None


def test_the_full_text_link_opens_the_article_and_back_keeps_the_chat(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url)
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
    page = open_chat(browsing, site.url, **PHONE)
    for question in ("干满一年有没有年假", "单位拖着不发工资怎么办", "原文1"):
        ask(page, question)
    assert overflow(page) <= 0
    # Only the message list scrolls: the page itself neither scrolls sideways nor down.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    box = page.get_by_label("输入你的问题").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"]
    expect(page.get_by_role("button", name="发送")).to_be_in_viewport()
    expect(bot_messages(page).last).to_be_in_viewport()
    screenshot(page, "chat-phone")


MENU = ("法律咨询", "维权求助", "服务站点", "活动报名", "入会")
LONG_TITLE = "2026年天津自贸试验区新就业形态劳动者权益保护暨职业技能提升公益培训班（第三期，东疆港区）"


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_every_service_button_is_on_screen(browsing: Browsing, site: Site, viewport: str) -> None:
    page = open_chat(browsing, site.url, **VIEWPORTS[viewport])
    width = VIEWPORTS[viewport]["viewport"]["width"]
    menu = page.get_by_role("navigation", name="常用服务")
    for label in MENU:
        button = menu.get_by_role("button", name=label, exact=True)
        expect(button).to_be_in_viewport(ratio=1)
        box = button.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width, (label, box)
    assert overflow(page) <= 0
    screenshot(page, f"chat-menu-{viewport}")
    menu.get_by_role("button", name="入会", exact=True).click()
    expect(page.locator("#messages > li.me").last).to_contain_text("入会")
    expect(bot_messages(page)).to_have_count(2)


def _mediator_says(site: Site, worker: str, text: str) -> None:
    """A case from this chat session, claimed by a mediator who replies from the console."""
    with site.services.database.session() as session:
        mediator = session.scalar(select(User).where(User.username == "chat-mediator")) or create_user(
            session, "chat-mediator", "long enough 1", Role.MEDIATOR, "王调解")
        load_conversation(session, "web", worker, timedelta(hours=1))
        intake = Intake("web", worker, Category.WAGES, "示例物流有限公司", "三个月没发工资", None, "13812345678", "晚上", None)
        ticket = open_ticket(session, intake, Deadline(1, "Asia/Shanghai"))
        assign(ticket, mediator, mediator)
        ticket_id, mediator_id = ticket.id, mediator.id
    assert site.services.casework.reply(ticket_id, mediator_id, text).delivered


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_a_mediators_message_looks_like_a_person_not_the_bot(
    browsing: Browsing, site: Site, viewport: str
) -> None:
    page = open_chat(browsing, site.url, **VIEWPORTS[viewport])
    ask(page, "单位拖着不发工资怎么办")
    _mediator_says(site, session_of(page), "你好，你的欠薪问题我们已经受理，明天上午给你打电话。")
    said = page.locator("#messages > li.mediator")
    expect(said).to_contain_text("明天上午给你打电话", timeout=8_000)
    expect(said.locator(".speaker")).to_have_text("工会调解员")
    expect(said.locator(".bubble")).to_contain_text("【工会调解员 王调解】")
    bot_bubble = bot_messages(page).last.locator(".bubble")
    style = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderTopColor]"
    assert said.locator(".bubble").evaluate(style) != bot_bubble.evaluate(style)
    [speaker] = contrasts(page, "#messages > li.mediator .speaker")
    assert speaker["ratio"] >= 4.5
    page.reload()  # kept in the session's history with its author
    expect(page.locator("#messages > li.mediator .speaker")).to_have_text("工会调解员")
    screenshot(page, f"chat-mediator-{viewport}")


def test_a_long_button_label_wraps_inside_the_screen(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url, **PHONE)
    reply = Reply("最近的活动：", (Button(LONG_TITLE, "1"), Button("返回", "菜单")))
    WebSender(site.services.database).send(session_of(page), reply)
    button = bot_messages(page).last.get_by_role("button", name=LONG_TITLE)
    expect(button).to_be_visible(timeout=8_000)
    expect(button).to_have_text(LONG_TITLE)
    fits = button.evaluate("b => b.scrollWidth <= b.clientWidth && b.scrollHeight <= b.clientHeight")
    box = button.bounding_box()
    assert fits and box is not None and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    assert box["height"] > 50, "the label runs over more than one line"
    assert overflow(page) <= 0
    screenshot(page, "chat-long-button-phone")


def test_the_chat_page_at_a_desk(browsing: Browsing, site: Site) -> None:
    page = open_chat(browsing, site.url, **VIEWPORTS["desk"])
    for question in ("干满一年有没有年假", "单位拖着不发工资怎么办"):
        ask(page, question)
    assert overflow(page) <= 0
    expect(page.get_by_label("输入你的问题")).to_be_in_viewport()
    screenshot(page, "chat-desk")
