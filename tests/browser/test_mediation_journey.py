"""A dispute from the worker's web chat to a mediator's console and back, in headless Chromium against the
real app on loopback: intake, claim, transcript, a canned reply arriving in the chat, the worker's answer
reaching the case history by polling (the bot only acknowledges), closing with an amount, the rating, and the
dashboard. Screenshots of each step go to tests/artifacts/."""

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from core.users import Role
from support.browser import browsing, chromium  # noqa: F401 (fixtures)
from support.browser import PHONE, Browsing, ask, bot_messages, open_chat, press, screenshot
from support.console import PASSWORD, Site, serve_site

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "journey", staff=(("wang", Role.MEDIATOR, "王调解"),),
                    own_address=True) as site:
        yield site


def flash(page: Page) -> Locator:
    return page.locator("p.flash")


def test_a_case_from_chat_to_mediator_and_back(browsing: Browsing, site: Site) -> None:
    # The worker asks on the web chat, asks for a mediator and completes the intake.
    chat = open_chat(browsing, site.url, **PHONE)
    ask(chat, "单位拖着不发工资怎么办")
    press(chat, "找调解员")
    expect(bot_messages(chat).last).to_contain_text("先选一下纠纷的类型")
    press(chat, "欠薪")
    ask(chat, "示例物流有限公司")
    ask(chat, "从今年三月开始，单位一直拖欠工资，已经三个月没发了，希望尽快补发")
    ask(chat, "2万")
    ask(chat, "王师傅")
    ask(chat, "13812345678")
    press(chat, "工作日晚上")
    press(chat, "天津港片区")
    expect(bot_messages(chat).last).to_contain_text("你同意吗")
    press(chat, "同意")
    expect(bot_messages(chat).last).to_contain_text("单位：示例物流有限公司")
    press(chat, "确认提交")
    created = bot_messages(chat).last
    expect(created).to_contain_text("你的案件编号是")
    number = re.search(r"WQ\d{4}-\d{5}", created.inner_text()).group(0)
    screenshot(chat, "mediation-journey-1-intake")

    # A mediator logs in, finds the case in the queue and claims it.
    console = browsing.page(**DESK)
    console.goto(f"{site.url}/console")
    expect(console).to_have_url(re.compile(r"/console/login"))
    console.get_by_label("用户名").fill("wang")
    console.get_by_label("密码").fill(PASSWORD)
    console.get_by_role("button", name="登录").click()
    expect(console.get_by_role("heading", name="工单队列")).to_be_visible()
    row = console.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text("示例物流有限公司")
    expect(row).to_contain_text("未分派")
    screenshot(console, "mediation-journey-2-queue")
    row.get_by_role("button", name=f"认领 {number}").click()
    expect(flash(console)).to_contain_text("已认领")
    expect(row).to_contain_text("王调解")

    # The case page: facts, the worker's chat, and a canned reply sent to the worker.
    row.get_by_role("link", name=number).click()
    expect(console.get_by_role("heading", name=re.compile(f"案件 {number}"))).to_be_visible()
    expect(console.locator(".phone")).to_have_text("13812345678")
    transcript = console.locator("#live .transcript")
    expect(transcript).to_contain_text("单位拖着不发工资怎么办")
    expect(transcript).to_contain_text("确认提交")
    screenshot(console, "mediation-journey-3-case")
    console.get_by_label("常用回复").select_option(label="确认收到")
    reply_box = console.locator("#reply-text")
    expect(reply_box).to_have_value(
        f"您好，我是工会调解员王调解。您的案件{number}（欠薪）已由我负责，我会尽快与您联系。"
    )
    reply_box.press("End")
    reply_box.type("请问今晚7点方便通电话吗？")
    console.get_by_role("button", name="发送给职工").click()
    expect(flash(console)).to_contain_text("回复已送达职工")
    expect(console.locator("#live .history")).to_contain_text("请问今晚7点方便通电话吗？")
    screenshot(console, "mediation-journey-4-replied")

    # The worker's chat shows the mediator's message as theirs; the worker answers and the bot only says it is
    # passed on.
    message = chat.locator("#messages > li.mediator").last
    expect(message).to_contain_text("【工会调解员 王调解】", timeout=10_000)
    expect(message.locator(".speaker")).to_have_text("工会调解员")
    expect(message).to_contain_text("请问今晚7点方便通电话吗？")
    count = bot_messages(chat).count()
    with chat.expect_response(lambda response: response.url.endswith("/api/chat")) as answered:
        box = chat.get_by_label("输入你的问题")
        box.fill("方便的，晚上7点后都可以")
        box.press("Enter")
    [acknowledgement] = answered.value.json()["replies"]
    assert acknowledgement["text"].startswith("收到，已转给调解员王调解")
    expect(chat.locator("#messages > li.typing")).to_have_count(0)
    expect(bot_messages(chat)).to_have_count(count + 1)
    expect(chat.locator("#messages > li.me").last).to_contain_text("方便的，晚上7点后都可以")
    screenshot(chat, "mediation-journey-5-worker-sees-reply")

    # The console page picks the answer up by itself (no reload) in the history and the transcript.
    expect(console.locator("#live .history")).to_contain_text("方便的，晚上7点后都可以", timeout=15_000)
    expect(console.locator("#live .history")).to_contain_text("职工留言")
    expect(transcript).to_contain_text("方便的，晚上7点后都可以")
    screenshot(console, "mediation-journey-6-history")

    # The mediator closes the case as mediated with the amount recovered.
    console.locator("#outcome").select_option(label="调解成功")
    console.locator("#amount").fill("8000")
    console.locator("#close-note").fill("单位同意当月补发")
    console.get_by_role("button", name="结案并请职工评价").click()
    expect(flash(console)).to_have_text("已结案，已请职工为这次帮助评分")
    expect(console.locator(".facts")).to_contain_text("8,000.00 元")
    expect(console.locator(".facts")).to_contain_text("尚未评分")
    screenshot(console, "mediation-journey-7-closed")

    # The worker hears the outcome, is asked to rate the help and gives 5.
    request = bot_messages(chat).last
    expect(request).to_contain_text(f"你的案件 {number} 已结案：调解成功，挽回 8,000 元。", timeout=10_000)
    expect(request.get_by_role("button")).to_have_count(5)
    press(chat, "5分")
    expect(bot_messages(chat).last).to_contain_text("谢谢你的评价")
    screenshot(chat, "mediation-journey-8-rated")

    # The rating shows on the case, and the dashboard counts the case and the amount.
    console.reload()
    expect(console.locator(".facts")).to_contain_text("5 分（满分 5 分）")
    console.get_by_role("link", name="数据看板").click()
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    expect(console.locator("#report-sentence")).to_have_text(
        f"{year}年，接待咨询1件，调解劳动争议1件，成功调解1件，维权金额0.80万元。"
    )
    month = datetime.now(ZoneInfo("Asia/Shanghai")).month
    this_month = console.locator("#months-table tbody tr").nth(month - 1)
    expect(this_month.locator("td")).to_have_text(["1", "1", "1", "1", "0", "100.0%", "8,000.00"])
    expect(console.locator("#ratings-table")).to_contain_text("王调解")
    expect(console.locator("#ratings-table")).to_contain_text("5.0")
    expect(console.locator("svg.chart-svg")).to_have_count(2)
    screenshot(console, "mediation-journey-9-dashboard")
