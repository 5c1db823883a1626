"""Every console page in headless Chromium on a phone (390×844) and a desk (1366×768), against the real app on
loopback with cases, events, members and questions in it: neither the page nor a part of it scrolls sideways
(a table of figures may), every button's text stands out from its background, and a screenshot of each page goes to tests/artifacts/
(`console-<page>-<phone|desk>.png`)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from bot.channels.web import new_session_id
from core.consultations import record_consultation
from core.conversations import load_conversation
from core.events import Event, Registrant, check_in, register
from core.feedback import give_feedback
from core.members import Application, apply, approve
from core.tickets import Category, Deadline, Intake, Outcome, assign, close, open_ticket, rate
from core.transcript import Author, record_line
from core.users import Role, User, set_role
from support.browser import (  # noqa: F401 (fixtures)
    VIEWPORTS,
    Browsing,
    browsing,
    chromium,
    contrasts,
    console_login,
    layout_problems,
    overflow,
    screenshot,
)
from support.console import serve_site
from support.console import Site as ServedSite

pytestmark = pytest.mark.browser

LONG_EMPLOYER = "天津自贸试验区示例国际物流供应链管理有限公司东疆港区分公司"
LONG_EVENT = "2026年天津自贸试验区新就业形态劳动者权益保护暨职业技能提升公益培训班（第三期）"


@dataclass
class Site(ServedSite):
    unclaimed: str = ""
    case_id: int = 0
    event_id: int = 0


def _intake(
    user: str, employer: str, phone: str, category: Category = Category.WAGES, channel: str = "web"
) -> Intake:
    what = "从今年三月开始单位一直拖欠工资，已经三个月没发了，希望尽快补发。"
    return Intake(channel, user, category, employer, what, Decimal("24000"), phone, "工作日晚上", "天津港片区")


def _fill(site: Site) -> None:
    """A console after a few weeks: cases in every state, an event with a waitlist, members, questions."""
    services, deadline, now = site.services, Deadline(1, "Asia/Shanghai"), datetime.now(timezone.utc)
    chat = ((Author.WORKER, "单位拖着不发工资怎么办"), (Author.BOT, "可以先找调解员帮忙，要我帮你提交吗？"),
            (Author.WORKER, "确认提交"))
    with services.database.session() as session:
        set_role(session, "boss", "li", Role.ADMIN)  # an entry with before/after in the audit log
        set_role(session, "boss", "li", Role.MEDIATOR)
        wang, boss = session.get(User, site.ids["wang"]), session.get(User, site.ids["boss"])
        unclaimed = open_ticket(session, _intake(new_session_id(), LONG_EMPLOYER, "13812345678"), deadline)
        unclaimed.worker_name = "刘师傅"
        site.unclaimed = unclaimed.number
        worker = new_session_id()
        held = open_ticket(session, _intake(worker, "示例物流有限公司", "13900001234", Category.DISMISSAL), deadline)
        assign(held, wang, wang)
        site.case_id = held.id
        load_conversation(session, "web", worker, timedelta(hours=1))  # the worker chatted before the intake
        for author, text in chat:
            record_line(session, "web", worker, author, text)
        done = open_ticket(session, _intake(new_session_id(), "示例餐饮管理有限公司", "13700005678"), deadline)
        assign(done, wang, boss)
        close(done, Outcome.MEDIATED, Decimal("8000"), "单位同意当月补发", wang)
        rate(done, 5)
        wechat = _intake("wx-openid", "示例建筑工程公司", "13600009999", channel="wechat")
        late = open_ticket(session, wechat, deadline)
        late.first_response_due = now - timedelta(hours=3)
        for number in range(1, 4):
            question = f"外地户口在天津交社保，退休时养老金怎么转回老家？第{number}次问"
            record_consultation(session, "web", "visitor", question, None, False)
        rated = record_consultation(session, "web", "visitor", "单位拖着不发工资怎么办", "overdue-pay", True)
        session.flush()
        give_feedback(session, rated.id, helpful=False)
    services.casework.reply(site.case_id, site.ids["wang"], "您好，我是工会调解员王调解，明天上午给您打电话。")
    with services.database.session() as session:
        event = Event(title=LONG_EVENT, kind="skills", starts_at=now + timedelta(days=7), capacity=2,
                      place="东疆职工活动中心三楼多功能厅", description="免费参加，结业发证书。")
        past = Event(title="职工乒乓球赛", kind="sports", starts_at=now - timedelta(days=7), capacity=20,
                     place="保税区体育馆")
        session.add_all([event, past])
        session.flush()
        site.event_id = event.id
        employee, _ = apply(session, Application("web", new_session_id(), "钱工人", "13700000001",
                                                 employer="天津示例港务有限公司"))
        apply(session, Application("telegram", "tg-1", "孙骑手", "13700000002", platform="示例外卖东疆站",
                                   occupation="外卖骑手"))
        approve(employee, boss)
    with services.database.write_session() as session:
        member = Registrant("web", "web-1", "钱工人", "13700000001", employee.id)
        first = register(session, site.event_id, member)
        register(session, site.event_id, Registrant("telegram", "tg-2", "周师傅", "13700000003"))
        register(session, site.event_id, Registrant("telegram", "tg-3", "吴大姐", "13700000004"))
        check_in(session, site.event_id, first.code)


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "console-pages", Site) as site:
        _fill(site)
        yield site


def logged_in(browsing: Browsing, site: Site, username: str, viewport: str) -> Page:
    return console_login(browsing, site.url, username, **VIEWPORTS[viewport])


def pages(site: Site) -> dict[str, tuple[str, str, str]]:
    """Page name → (who looks, address, a heading it shows)."""
    return {
        "queue": ("wang", "/console", "工单队列"),
        "queue-admin": ("boss", "/console", "工单队列"),
        "case": ("wang", f"/console/tickets/{site.case_id}", "案件情况"),
        "dashboard": ("wang", "/console/dashboard", "数据看板"),
        "members": ("boss", "/console/members", "会员与入会申请"),
        "events": ("boss", "/console/events", "活动"),
        "event-form": ("boss", "/console/events/new", "新建活动"),
        "event-registrations": ("boss", f"/console/events/{site.event_id}", "报名名单（按报名先后）"),
        "canned": ("boss", "/console/canned", "常用回复"),
        "gaps": ("boss", "/console/kb/gaps", "未解答问题"),
        "hit-test": ("boss", "/console/kb/hit-test?q=单位拖着不发工资怎么办", "命中测试"),
        "feedback": ("boss", "/console/kb/feedback", "职工反馈"),
        "users": ("boss", "/console/users", "用户管理"),
        "audit": ("boss", "/console/audit", "审计日志"),
    }


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_every_console_page_fits_the_screen_and_every_button_is_readable(
    browsing: Browsing, site: Site, viewport: str
) -> None:
    problems: list[str] = []

    def look(page: Page, name: str) -> None:
        screenshot(page, f"console-{name}-{viewport}")
        problems.extend(layout_problems(page, name))

    login = browsing.page(**VIEWPORTS[viewport])
    login.goto(f"{site.url}/console/login")
    expect(login.get_by_role("heading", name="调解工作台登录")).to_be_visible()
    look(login, "login")
    seen: dict[str, Page] = {}
    for name, (who, path, heading) in pages(site).items():
        page = seen.get(who) or seen.setdefault(who, logged_in(browsing, site, who, viewport))
        page.goto(f"{site.url}{path}")
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        look(page, name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_a_mediator_sees_the_claim_button(browsing: Browsing, site: Site, viewport: str) -> None:
    page = logged_in(browsing, site, "li", viewport)
    claim = page.get_by_role("button", name=f"认领 {site.unclaimed}")
    expect(claim).to_be_visible()
    [shown] = contrasts(page, f'button[aria-label="认领 {site.unclaimed}"]')
    colours = claim.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert colours[0] != colours[1] and shown["ratio"] >= 4.5, (colours, shown)
    claim.scroll_into_view_if_needed()
    expect(claim).to_be_in_viewport()


def test_on_a_phone_the_queue_is_a_list_of_cards_with_everything_a_mediator_needs(
    browsing: Browsing, site: Site
) -> None:
    page = logged_in(browsing, site, "wang", "phone")
    card = page.locator(f'[data-number="{site.unclaimed}"]')
    for shown in (site.unclaimed, LONG_EMPLOYER, "欠薪", "天津港片区", "待受理", "未分派"):
        expect(card).to_contain_text(shown)
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert overflow(page) <= 0
    number = card.get_by_role("link", name=site.unclaimed)
    expect(number).to_be_in_viewport()
    assert re.search(r"\d+(分钟|小时|天)", card.inner_text())
