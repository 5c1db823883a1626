"""A worker joins in the web chat, the admin approves and runs an event with a waitlist, all in headless Chromium.

Worker pages are the real chat page (/chat): messages that are not replies reach them through the outbox,
which the page polls. The admin uses the console pages; each step leaves a screenshot in tests/artifacts/.
"""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from core.users import Role
from support.browser import browsing, chromium  # noqa: F401 (fixtures)
from support.browser import Browsing, ask, bot_messages, open_chat, press, screenshot
from support.console import PASSWORD, Site, serve_site

pytestmark = pytest.mark.browser

ADMIN = "journey-admin"
EVENT = "职工羽毛球友谊赛"
POLL = 8_000  # the page polls its outbox every few seconds
CHAT = {"width": 420, "height": 860}


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "admin-journey", staff=((ADMIN, Role.ADMIN, "工会管理员"),)) as site:
        yield site


def menu(page: Page, label: str) -> Locator:
    count = bot_messages(page).count()
    page.get_by_role("navigation", name="常用服务").get_by_role("button", name=label).click()
    expect(bot_messages(page)).to_have_count(count + 1)
    return bot_messages(page).last


def register_for_event(page: Page) -> Locator:
    expect(menu(page, "活动报名")).to_contain_text(EVENT)
    expect(press(page, EVENT)).to_contain_text("名额：1人")
    return press(page, "我要报名")


def test_join_approve_event_waitlist_cancel_and_check_in(browsing: Browsing, site: Site) -> None:
    # 1. A delivery rider joins the union from the web chat.
    rider = open_chat(browsing, site.url, viewport=CHAT)
    expect(menu(rider, "入会")).to_contain_text("你现在的工作是哪一种")
    expect(press(rider, "平台接单（骑手、快递、网约车等）")).to_contain_text("真实姓名")
    expect(ask(rider, "刘骑手")).to_contain_text("手机号")
    expect(ask(rider, "13911112222")).to_contain_text("哪一类工作")
    expect(press(rider, "外卖骑手")).to_contain_text("哪个平台")
    expect(ask(rider, "示例外卖东疆站")).to_contain_text("你同意吗")
    expect(press(rider, "同意")).to_contain_text("平台/站点：示例外卖东疆站")
    expect(press(rider, "确认提交")).to_contain_text("入会申请已经提交")
    screenshot(rider, "admin-journey-01-worker-applied")

    # 2. The admin logs in, finds the application and approves it.
    admin = browsing.page(viewport={"width": 1280, "height": 900})
    admin.goto(f"{site.url}/console/members")
    expect(admin).to_have_url(re.compile(r"/console/login\?next="))
    admin.get_by_label("用户名").fill(ADMIN)
    admin.get_by_label("密码").fill(PASSWORD)
    admin.get_by_role("button", name="登录").click()
    expect(admin.get_by_role("heading", name="会员与入会申请")).to_be_visible()
    admin.get_by_label("搜索").fill("刘骑手")
    admin.get_by_role("button", name="查找").click()
    row = admin.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("新就业形态")
    expect(row).to_contain_text("外卖骑手 · 示例外卖东疆站")
    expect(row).to_contain_text("139****2222")
    screenshot(admin, "admin-journey-02-members-found")
    row.get_by_role("button", name="批准 刘骑手 入会").click()
    notice = admin.get_by_role("status")
    expect(notice).to_contain_text("卡号已经通过消息发给本人")
    number = re.search(r"会员服务卡号 ([A-Z0-9-]+)。", notice.inner_text()).group(1)
    assert re.fullmatch(r"TJ\d{4}\d{7}", number)
    expect(admin.locator("tbody tr")).to_contain_text("已入会")
    screenshot(admin, "admin-journey-03-member-approved")

    # 3. The rider's open chat page shows the member number without reloading.
    expect(bot_messages(rider).last).to_contain_text(f"你的会员服务卡号是：{number}", timeout=POLL)
    screenshot(rider, "admin-journey-04-worker-number")

    # 4. The admin creates an event with a single place (times typed in local time).
    admin.get_by_role("navigation", name="工作台").get_by_role("link", name="活动").click()
    admin.get_by_role("link", name="新建活动").click()
    starts = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=10)).replace(hour=9, minute=30)
    admin.get_by_label("活动名称").fill(EVENT)
    admin.get_by_label("活动类型").select_option(label="体育活动")
    admin.get_by_label("开始", exact=True).fill(f"{starts:%Y-%m-%dT%H:%M}")
    admin.get_by_label("结束（可不填）").fill(f"{starts:%Y-%m-%d}T08:00")
    admin.get_by_label("地点").fill("东疆职工活动中心")
    admin.get_by_label("名额").fill("0")
    admin.get_by_role("button", name="创建活动").click()
    alert = admin.get_by_role("alert")
    expect(alert).to_contain_text("结束时间要晚于开始时间。")
    expect(alert).to_contain_text("名额请填 1 到")
    screenshot(admin, "admin-journey-05-event-form-errors")
    admin.get_by_label("结束（可不填）").fill(f"{starts:%Y-%m-%d}T11:30")
    admin.get_by_label("名额").fill("1")
    admin.get_by_label("活动介绍（会在聊天里给职工看）").fill("单打比赛，自带球拍。")
    admin.get_by_role("button", name="创建活动").click()
    expect(admin.get_by_role("heading", name=EVENT)).to_be_visible()
    expect(admin.get_by_role("status")).to_contain_text("活动已创建")
    expect(admin.locator("#places")).to_have_text("已报 0/1")
    event_url = admin.url.split("?")[0]

    # 5. Two workers register from their chats: the member gets the place, a newcomer the waitlist.
    confirmed = register_for_event(rider)
    expect(confirmed).to_contain_text("报名成功")
    rider_code = re.search(r"签到码：([A-Z0-9]{6})", confirmed.inner_text()).group(1)
    screenshot(rider, "admin-journey-06-rider-registered")
    newcomer = open_chat(browsing, site.url, viewport=CHAT)
    expect(register_for_event(newcomer)).to_contain_text("姓名")
    expect(ask(newcomer, "陈新人")).to_contain_text("手机号")
    expect(ask(newcomer, "13922223333")).to_contain_text("你同意吗")
    expect(press(newcomer, "同意")).to_contain_text("姓名：陈新人")
    expect(press(newcomer, "确认提交")).to_contain_text("候补第 1 位")
    screenshot(newcomer, "admin-journey-07-newcomer-waitlisted")

    admin.goto(event_url)
    expect(admin.locator("#places")).to_have_text("已报 1/1")
    rows = admin.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("刘骑手")
    expect(rows.nth(0)).to_contain_text("已报名")
    expect(rows.nth(1)).to_contain_text("陈新人")
    expect(rows.nth(1)).to_contain_text("候补 第 1 位")
    screenshot(admin, "admin-journey-08-registrations")

    # 6. The rider phones to say they cannot come: the admin cancels for them, the newcomer moves up.
    admin.once("dialog", lambda dialog: dialog.accept())
    rows.nth(0).get_by_role("button", name="替 刘骑手 取消报名").click()
    expect(admin.get_by_role("status").first).to_contain_text("已替 刘骑手 取消报名。候补转正：陈新人")
    expect(admin.locator("tbody tr").nth(1)).to_contain_text("候补转正")
    screenshot(admin, "admin-journey-09-cancelled-and-promoted")
    promotion = bot_messages(newcomer).last
    expect(promotion).to_contain_text("你已从候补转为正式报名", timeout=POLL)
    newcomer_code = re.search(r"签到码：([A-Z0-9]{6})", promotion.inner_text()).group(1)
    screenshot(newcomer, "admin-journey-10-newcomer-promoted")

    # 7. At the door: the cancelled rider's code is refused with a clear message, the newcomer's works.
    code_box = admin.get_by_label("签到码")
    code_box.fill(rider_code)
    admin.get_by_role("button", name="签到", exact=True).click()
    expect(admin.get_by_role("alert")).to_contain_text("刘骑手 的报名已经取消，不能签到。")
    admin.get_by_label("签到码").fill("ZZZZZZ")
    admin.get_by_role("button", name="签到", exact=True).click()
    expect(admin.get_by_role("alert")).to_contain_text("签到码 ZZZZZZ 不对")
    screenshot(admin, "admin-journey-11-wrong-code")
    admin.get_by_label("签到码").fill(newcomer_code.lower())
    admin.get_by_role("button", name="签到", exact=True).click()
    expect(admin.get_by_role("status").first).to_contain_text("已签到：陈新人")
    expect(admin.locator("tbody tr").nth(1)).to_contain_text("已签到")
    screenshot(admin, "admin-journey-12-checked-in")
