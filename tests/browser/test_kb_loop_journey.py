"""The improvement loop in headless Chromium: a worker asks the web chat something it cannot answer and says
another answer did not help; the admin finds both under 未解答, turns the first into a card, publishes it and
marks the group handled; the worker asks again and is answered. Screenshots go to tests/artifacts/
(`kb-loop-*.png`)."""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from support.browser import (  # noqa: F401 (fixtures)
    DESK,
    PHONE,
    Browsing,
    ask,
    bot_messages,
    browsing,
    chromium,
    console_login,
    open_chat,
    overflow,
    screenshot,
)
from support.console import Site, staffed_site
from support.kb import answered_card, wait_until
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

pytestmark = pytest.mark.browser

UNANSWERED = "受伤了单位不给认定工伤怎么办"
INJURY_ANSWER = "申请工伤认定一般要准备认定申请表、劳动关系证明和医疗诊断证明，工会可以帮你核对材料是否齐全。"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """Its own knowledge base, statutes imported into its database: a card may cite them."""
    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("kb-loop-journey"), laws, FIXTURE_CARDS)
    with staffed_site(knowledge.settings) as site:
        yield site


def gap(page: Page, question: str) -> Locator:
    return page.locator("li.gap").filter(has=page.get_by_role("heading", name=question, exact=True))


def test_a_gap_becomes_a_card_and_the_worker_is_answered(browsing: Browsing, site: Site) -> None:
    # 1. A worker asks something the assistant cannot answer, and says another answer did not help.
    worker = open_chat(browsing, site.url, **PHONE)
    unanswered = ask(worker, UNANSWERED)
    expect(unanswered).to_contain_text("这个问题我暂时回答不了")
    expect(unanswered.locator(".rate")).to_have_count(0)
    answered = ask(worker, "干满一年有没有年假")
    rating = answered.get_by_role("group", name="这条回答有帮助吗？")
    expect(rating.get_by_role("button", name="有用")).to_be_enabled()
    rating.get_by_role("button", name="没用").click()
    expect(bot_messages(worker).last).to_contain_text("谢谢你告诉我们")
    pressed = answered.locator(".rate button[aria-pressed='true']")
    expect(pressed).to_have_text("没用")
    expect(pressed).to_be_disabled()
    expect(answered.locator(".rate")).to_contain_text("谢谢反馈")
    assert overflow(worker) <= 0
    screenshot(worker, "kb-loop-01-worker-phone")

    # 2. The admin finds both under 未解答 (知识库 in the navigation).
    admin = console_login(browsing, site.url, "boss", **DESK)
    admin.get_by_role("navigation", name="工作台").get_by_role("link", name="知识库").click()
    admin.get_by_role("navigation", name="知识库").get_by_role("link", name="未解答").click()
    expect(admin.get_by_role("heading", name="未解答问题", exact=True)).to_be_visible()
    expect(gap(admin, UNANSWERED)).to_contain_text("没答上 1")
    expect(gap(admin, "干满一年有没有年假")).to_contain_text("没用 1")
    screenshot(admin, "kb-loop-02-gaps-desk")
    link = gap(admin, UNANSWERED).get_by_role("link", name="做成卡片")
    target = urlsplit(link.get_attribute("href"))
    prefill = parse_qs(target.query)
    assert target.path == "/console/kb/cards/new"
    assert prefill == {"title": [UNANSWERED], "question": [UNANSWERED]}

    # 3. The link opens the card form pre-filled with the question; the admin completes it, cites an imported
    #    article, adds it to the draft and publishes; the build reaches every server.
    link.click()
    expect(admin.get_by_label("标题")).to_have_value(UNANSWERED)
    questions = admin.get_by_label("职工的问法（每行一种，至少 3 种，用职工自己的话）")
    expect(questions).to_have_value(UNANSWERED)
    questions.press("End")
    questions.press_sequentially("\n申请工伤认定需要什么材料\n认定工伤要交哪些证明")
    admin.get_by_label("编号（可不填，自动编号；小写字母、数字和连字符）").fill("injury-papers")
    admin.get_by_label("主题").select_option("work_injury")
    admin.get_by_label("回答（20 到 400 字，用自己的话）").fill(INJURY_ANSWER)
    admin.locator("#citation-law-1").select_option("示例职工权益条例")
    admin.locator("#citation-article-1").fill("2")
    admin.get_by_label("标签（用顿号或逗号隔开）").fill("工伤认定、材料")
    admin.get_by_role("button", name="添加到草稿").click()
    expect(admin.locator(".flash")).to_be_visible()
    admin.get_by_role("navigation", name="知识库").get_by_role("link", name="版本").click()
    admin.get_by_label("发布说明（可不填）").fill("工伤认定材料")
    admin.get_by_role("button", name="发布草稿").click()
    wait_until(lambda: answered_card(site.url, UNANSWERED) == "injury-papers")
    admin.get_by_role("navigation", name="知识库").get_by_role("link", name="未解答").click()

    # 4. The group is marked handled; the audit log shows it.
    gap(admin, UNANSWERED).get_by_role("button", name="已处理").click()
    expect(admin.locator(".flash")).to_contain_text(f"已处理“{UNANSWERED}”等 1 个问题")
    expect(gap(admin, UNANSWERED)).to_have_count(0)
    admin.get_by_role("navigation", name="工作台").get_by_role("link", name="审计").click()
    expect(admin.locator("#audit-table")).to_contain_text("kb.gap.handled")
    expect(admin.locator("#audit-table")).to_contain_text("card:injury-papers")

    # 5. The worker asks again in the same chat and is answered from the new card, with 有用 / 没用 under it;
    #    the buttons under the older answer are retired (the word always rates the latest answer).
    again = ask(worker, UNANSWERED)
    expect(again).to_contain_text(INJURY_ANSWER)
    expect(again.get_by_role("button", name="有用")).to_be_enabled()
    expect(worker.locator(".rate:not(.rated)")).to_have_count(1)
    screenshot(worker, "kb-loop-03-answered-phone")

    phone_admin = console_login(browsing, site.url, "boss", **PHONE)
    phone_admin.goto(f"{site.url}/console/kb/hit-test?q={UNANSWERED}")
    expect(phone_admin.locator(".hit-side")).to_contain_text("injury-papers")
    assert overflow(phone_admin) <= 0
    screenshot(phone_admin, "kb-loop-04-hit-test-phone")
    assert re.search(r"第 2 版", phone_admin.locator(".hit-side h2").inner_text())
