"""The mediator console's queue and case page over a real server: filters, claiming and assigning, replies
that reach the worker's channel, the WeChat budget, closing with a rating, and who may do what."""

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from core.clock import utcnow
from core.conversations import Conversation
from core.messages import Channel, Inbound, InboundKind
from core.tickets import Category, ChangeKind, Deadline, Intake, Status, Ticket, open_ticket
from support.console import Site as ServedSite
from support.console import csrf, flash, not_found, serve_site
from support.outbound import RecordingSender

INTAKE = (
    ("单位拖着不发工资怎么办", "找调解员"),
    ("维权求助", "纠纷的类型"),
    ("欠薪", "用人单位"),
    ("示例物流有限公司", "发生了什么"),
    ("三个月没发工资了，老板一直拖着不给", "金额"),
    ("2万", "称呼"),
    ("跳过", "手机号"),
    ("13812345678", "接电话"),
    ("工作日晚上", "片区"),
    ("天津港片区", "同意"),
    ("同意", "请核对"),
    ("确认提交", "案件编号"),
)


class Site(ServedSite):
    def ticket(self, ticket_id: int) -> Ticket:
        with self.services.database.session() as session:
            return session.get(
                Ticket, ticket_id, options=[selectinload(Ticket.changes), selectinload(Ticket.assignee)]
            )


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "console", Site) as site:
        yield site


def post(client: httpx.Client, path: str, **data: object) -> httpx.Response:
    """A console form post with the page's CSRF token; answers with a redirect whose flash we read back."""
    response = client.post(path, data={"csrf_token": csrf(client), **data})
    assert response.status_code == 303, response.text
    return response


def make_case(site: Site, channel: str = "web", user: str | None = None, **changes: object) -> int:
    """A case straight from the domain (the chat intake is exercised in `intake`)."""
    user = user or f"worker-{utcnow().timestamp()}"
    category = changes.pop("category", Category.WAGES)
    area = changes.pop("area", "天津港片区")
    with site.services.database.session() as session:
        ticket = open_ticket(
            session,
            Intake(
                channel,
                user,
                category,
                "示例物流有限公司",
                "三个月没发工资",
                Decimal("20000"),
                "13812345678",
                "晚上",
                area,
            ),
            Deadline(1, "Asia/Shanghai"),
        )
        ticket_id = ticket.id
    if changes:
        with site.services.database.session() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**changes))
    return ticket_id


def worker(site: Site) -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=15)
    client.get("/chat")
    return client


def say(client: httpx.Client, text: str) -> str:
    response = client.post("/api/chat", json={"text": text})
    assert response.status_code == 200, response.text
    return "\n".join(reply["text"] for reply in response.json()["replies"])


def intake(site: Site) -> tuple[httpx.Client, int]:
    """A worker on the web chat takes a case through the whole intake."""
    client = worker(site)
    for text, expected in INTAKE:
        assert expected in say(client, text), (text, expected)
    number = re.search(r"WQ\d{4}-\d{5}", say(client, "我的工单")).group(0)
    with site.services.database.session() as session:
        ticket_id = session.query(Ticket.id).filter(Ticket.number == number).scalar()
    return client, ticket_id


def outbox(client: httpx.Client) -> list[dict]:
    return client.get("/api/chat/updates", params={"after": 0}).json()["messages"]


def queue_numbers(client: httpx.Client, **filters: object) -> list[str]:
    response = client.get("/console", params=filters)
    assert response.status_code == 200
    return re.findall(r'data-number="([^"]+)"', response.text)


def number_of(site: Site, ticket_id: int) -> str:
    return site.ticket(ticket_id).number


def test_logged_out_visitors_are_sent_to_the_login_page(site: Site) -> None:
    ticket_id = make_case(site)
    client = site.client()
    for path in ("/console", f"/console/tickets/{ticket_id}", f"/console/tickets/{ticket_id}/live"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")
    refused = client.post(f"/console/tickets/{ticket_id}/assign", data={"csrf_token": "x"})
    assert refused.status_code in (303, 403)
    assert site.ticket(ticket_id).assignee_id is None


def test_the_queue_is_oldest_first_and_filters(site: Site) -> None:
    now = utcnow()
    old = make_case(site, created_at=now - timedelta(days=30), first_response_due=now - timedelta(days=29))
    injury = make_case(
        site, category=Category.WORK_INJURY, area="天津机场片区", created_at=now - timedelta(days=20)
    )
    closed = make_case(
        site,
        created_at=now - timedelta(days=25),
        status=Status.CLOSED,
        outcome="failed",
        closed_at=now,
        amount_recovered=Decimal(0),
    )
    client = site.client("wang")
    shown = queue_numbers(client)
    numbers = {key: number_of(site, key) for key in (old, injury, closed)}
    assert numbers[closed] not in shown, "closed cases are not in the default (open) queue"
    assert shown.index(numbers[old]) < shown.index(numbers[injury]), "oldest first"
    assert queue_numbers(client, category="work_injury") == [numbers[injury]]
    assert queue_numbers(client, area="天津机场片区") == [numbers[injury]]
    assert numbers[old] in queue_numbers(client, overdue=1) and numbers[injury] not in queue_numbers(
        client, overdue=1
    )
    assert numbers[closed] in queue_numbers(client, status="closed")
    assert numbers[old] not in queue_numbers(client, status="closed")
    everything = queue_numbers(client, status="all", category="", area="")
    assert {numbers[old], numbers[injury], numbers[closed]} <= set(everything)
    page = client.get("/console").text
    row = re.search(rf'<tr class="overdue" data-number="{numbers[old]}">(.*?)</tr>', page, re.S).group(1)
    assert "超时未响应" in row and "30天" in row and "未分派" in row
    assert client.get("/console", params={"category": "bogus"}).status_code == 422


def test_the_queue_search_finds_a_case_by_number_phone_employer_or_name(site: Site) -> None:
    now = utcnow()
    wanted = make_case(site, employer="天津示例查找物流公司", phone="13500007777", worker_name="钱师傅")
    done = make_case(site, employer="天津示例查找物流公司", phone="13500008888", status=Status.CLOSED,
                     outcome="failed", closed_at=now, amount_recovered=Decimal(0))
    client = site.client("wang")
    numbers = {key: number_of(site, key) for key in (wanted, done)}
    for typed in (numbers[wanted], "查找物流", "钱师傅", "135-0000-7777", "7777"):
        assert queue_numbers(client, q=typed) == [numbers[wanted]], typed
    assert queue_numbers(client, q="查找物流", status="all") == [numbers[wanted], numbers[done]]
    page = client.get("/console", params={"q": "8888"}).text
    assert "没有符合条件的案件" in page and "可以把状态选为“全部”再找" in page
    assert 'name="q" value="8888"' in page
    assert queue_numbers(client, q="8888", status="all") == [numbers[done]]
    page = client.get("/console").text
    row = re.search(rf'data-number="{numbers[wanted]}">(.*?)</tr>', page, re.S).group(1)
    assert "钱师傅" in row


def test_a_flash_is_shown_once_and_a_forged_one_is_ignored(site: Site) -> None:
    client = site.client("wang")
    ticket_id = make_case(site)
    claimed = post(client, f"/console/tickets/{ticket_id}/assign", back="https://evil.example/console")
    assert claimed.headers["location"] == f"/console/tickets/{ticket_id}", "no redirect off the console"
    assert flash(client, claimed) == "已认领，请尽快与职工联系"
    assert 'class="flash' not in client.get(f"/console/tickets/{ticket_id}").text
    client.cookies.set("console_flash", "not-base64-json!", path="/console")
    page = client.get("/console")
    assert page.status_code == 200 and 'class="flash' not in page.text


def test_claiming_and_assigning_with_each_mediators_load(site: Site) -> None:
    first, second = make_case(site), make_case(site)
    wang, li, boss = site.client("wang"), site.client("li"), site.client("boss")
    assert "已认领" in flash(wang, post(wang, f"/console/tickets/{first}/assign"))
    assert site.ticket(first).assignee_id == site.ids["wang"]
    assert site.ticket(first).status == Status.ASSIGNED
    taken = flash(li, post(li, f"/console/tickets/{first}/assign"))
    assert "已由王调解负责" in taken and site.ticket(first).assignee_id == site.ids["wang"]
    pushed = flash(wang, post(wang, f"/console/tickets/{second}/assign", mediator_id=site.ids["li"]))
    assert "只有管理员" in pushed and site.ticket(second).assignee_id is None
    queue_page = boss.get("/console").text
    load = re.search(rf'<option value="{site.ids["wang"]}"[^>]*>王调解（在办 (\d+)）', queue_page).group(1)
    assert int(load) >= 1
    before = int(re.search(r"<span>李调解</span> <strong>(\d+)</strong>", queue_page).group(1))
    response = post(
        boss, f"/console/tickets/{second}/assign", mediator_id=site.ids["li"], back="/console?status=all"
    )
    assert response.headers["location"] == "/console?status=all"
    assert flash(boss, response) == "已分派"
    assert site.ticket(second).assignee_id == site.ids["li"]
    after = int(re.search(r"<span>李调解</span> <strong>(\d+)</strong>", boss.get("/console").text).group(1))
    assert after == before + 1
    assert "认领 " + number_of(site, second) not in li.get("/console").text, (
        "an assigned case has no claim button"
    )
    assert (
        post(
            boss, f"/console/tickets/{first}/assign", mediator_id=site.ids["li"], back="https://evil.example"
        ).headers["location"]
        == f"/console/tickets/{first}"
    )


def test_posts_without_the_csrf_token_are_refused(site: Site) -> None:
    ticket_id = make_case(site)
    client = site.client("wang")
    assert client.post(f"/console/tickets/{ticket_id}/assign").status_code == 403
    assert (
        client.post(
            f"/console/tickets/{ticket_id}/note", data={"text": "x", "csrf_token": "forged"}
        ).status_code
        == 403
    )
    assert site.ticket(ticket_id).assignee_id is None
    assert [c.kind for c in site.ticket(ticket_id).changes] == [ChangeKind.CREATED]


def test_the_case_page_shows_facts_transcript_history_and_filled_canned_replies(site: Site) -> None:
    chat, ticket_id = intake(site)
    number = number_of(site, ticket_id)
    mediator = site.client("wang")
    post(mediator, f"/console/tickets/{ticket_id}/assign")
    page = mediator.get(f"/console/tickets/{ticket_id}").text
    assert f"案件 {number}" in page and "示例物流有限公司" in page and "天津港片区" in page
    assert 'href="tel:13812345678"' in page, "mediators call the worker"
    assert "20,000.00 元" in page and "工作日晚上" in page and "网页" in page
    transcript = re.search(r'<ol class="transcript">(.*?)</ol>', page, re.S).group(1)
    assert "单位拖着不发工资怎么办" in transcript and "确认提交" in transcript
    assert "138****5678" in transcript, "the transcript keeps phone numbers masked"
    assert "提交案件" in page and "认领" in page
    filled = html.unescape(re.search(r'data-text="([^"]*)">确认收到', page).group(1))
    assert filled == f"您好，我是工会调解员王调解。您的案件{number}（欠薪）已由我负责，我会尽快与您联系。"
    assert 'src="/static/console.js"' in page and f'data-url="/console/tickets/{ticket_id}/live"' in page
    assert "style=" not in page, "the CSP blocks inline styles"
    chat.close()


def test_a_reply_reaches_the_web_worker_who_answers_into_the_case(site: Site) -> None:
    chat, ticket_id = intake(site)
    mediator = site.client("wang")
    post(mediator, f"/console/tickets/{ticket_id}/assign")
    sent = flash(
        mediator,
        post(mediator, f"/console/tickets/{ticket_id}/reply", text="您好，我是王调解，明天上午给您打电话。"),
    )
    assert sent.startswith("回复已送达职工")
    assert outbox(chat)[-1]["text"] == "【工会调解员 王调解】\n您好，我是王调解，明天上午给您打电话。"
    assert say(chat, "好的，我上午都有空") == "收到，已转给调解员王调解，请稍候，回复会发到这里。"
    assert say(chat, "电话打这个号就行") == "", "the bot does not talk over the mediator"
    live = mediator.get(f"/console/tickets/{ticket_id}/live")
    assert live.status_code == 200 and live.headers["cache-control"] == "no-store"
    history = re.search(r'<ol class="history">(.*?)</ol>', live.text, re.S).group(1)
    assert "职工留言" in history and "好的，我上午都有空" in history and "接管对话" in history
    assert "<html" not in live.text, "the live part is a fragment"
    page = mediator.get(f"/console/tickets/{ticket_id}").text
    assert "交还给小助手" in page
    assert flash(mediator, post(mediator, f"/console/tickets/{ticket_id}/handback")) == "对话已交还给小助手"
    assert "带薪休假" in say(chat, "干满一年有没有年假"), "after handing back the bot answers again"
    assert site.ticket(ticket_id).first_responded_at is not None
    chat.close()


def test_notes_stay_internal(site: Site) -> None:
    chat, ticket_id = intake(site)
    before = len(outbox(chat))
    colleague = site.client("li")
    assert "备注已保存" in flash(
        colleague, post(colleague, f"/console/tickets/{ticket_id}/note", text="单位电话 022-1234")
    )
    assert len(outbox(chat)) == before
    change = site.ticket(ticket_id).changes[-1]
    assert (change.kind, change.actor, change.text) == (ChangeKind.NOTE, "李调解", "单位电话 022-1234")
    assert "没有完成：备注是空的" == flash(
        colleague, post(colleague, f"/console/tickets/{ticket_id}/note", text="  ")
    )


def test_starting_and_closing_with_an_amount_asks_the_worker_for_a_rating(site: Site) -> None:
    chat, ticket_id = intake(site)
    mediator = site.client("wang")
    post(mediator, f"/console/tickets/{ticket_id}/assign")
    assert flash(mediator, post(mediator, f"/console/tickets/{ticket_id}/start")) == "已开始调解"
    assert site.ticket(ticket_id).status == Status.IN_MEDIATION
    path = f"/console/tickets/{ticket_id}/close"
    assert "请选择结案结果" in flash(mediator, post(mediator, path, outcome="", amount="100"))
    assert "格式不对" in flash(mediator, post(mediator, path, outcome="mediated", amount="很多钱"))
    assert site.ticket(ticket_id).is_open
    done = flash(mediator, post(mediator, path, outcome="mediated", amount="2.5万", note="单位分两期支付"))
    assert done == "已结案，已请职工为这次帮助评分"
    ticket = site.ticket(ticket_id)
    assert (ticket.status, ticket.outcome, ticket.amount_recovered) == (
        Status.CLOSED,
        "mediated",
        Decimal("25000.00"),
    )
    number = number_of(site, ticket_id)
    assert outbox(chat)[-1]["text"].startswith(f"你的案件 {number} 已结案：调解成功，挽回 25,000 元。")
    page = mediator.get(f"/console/tickets/{ticket_id}").text
    assert "尚未评分" in page and "25,000.00 元" in page and "调解成功" in page
    assert f'action="/console/tickets/{ticket_id}/reply"' not in page, "a closed case has no reply box"
    assert "谢谢你的评价" in say(chat, "5")
    assert "5 分（满分 5 分）" in mediator.get(f"/console/tickets/{ticket_id}").text
    again = flash(mediator, post(mediator, path, outcome="failed"))
    assert again.startswith("没有完成") and "closed" in again
    replied = flash(mediator, post(mediator, f"/console/tickets/{ticket_id}/reply", text="还在吗"))
    assert replied.startswith("没有完成") and len([m for m in outbox(chat) if "还在吗" in m["text"]]) == 0
    chat.close()


def test_only_the_cases_mediator_or_an_admin_works_it(site: Site) -> None:
    chat, ticket_id = intake(site)
    wang, li, boss = site.client("wang"), site.client("li"), site.client("boss")
    unclaimed = flash(li, post(li, f"/console/tickets/{ticket_id}/reply", text="你好"))
    assert unclaimed == "没有完成：请先认领这个案件"
    post(wang, f"/console/tickets/{ticket_id}/assign")
    for action, data in (("reply", {"text": "你好"}), ("start", {}), ("close", {"outcome": "failed"})):
        message = flash(li, post(li, f"/console/tickets/{ticket_id}/{action}", **data))
        assert message == "没有完成：这个案件由王调解负责", action
    assert site.ticket(ticket_id).status == Status.ASSIGNED and len(outbox(chat)) == 0
    page = li.get(f"/console/tickets/{ticket_id}").text
    assert "这个案件由王调解负责" in page and 'id="reply-form"' not in page
    assert flash(boss, post(boss, f"/console/tickets/{ticket_id}/reply", text="我是主任")).startswith(
        "回复已送达"
    )
    chat.close()


def test_an_unknown_case_is_not_found(site: Site) -> None:
    client = site.client("wang")
    assert not_found(client.get("/console/tickets/999999")) == "没有这个案件"
    assert not_found(client.get("/console/tickets/999999/live")) == "没有这个案件"
    missing = client.post("/console/tickets/999999/start", data={"csrf_token": csrf(client)})
    assert not_found(missing) == "没有这个案件"
    assert 'href="/console">回到工单队列</a>' in missing.text and "王调解" in missing.text


def test_a_wechat_case_shows_the_budget_and_offers_the_notice_when_spent(site: Site) -> None:
    sender = RecordingSender(Channel.WECHAT)
    site.services.outbound.register(sender)
    openid = f"wx-{utcnow().timestamp()}"
    site.services.engine.handle(Inbound(Channel.WECHAT, openid, InboundKind.TEXT, text="在吗"))
    ticket_id = make_case(site, channel="wechat", user=openid)
    mediator = site.client("wang")
    post(mediator, f"/console/tickets/{ticket_id}/assign")
    page = mediator.get(f"/console/tickets/{ticket_id}").text
    assert "微信客服消息额度" in page
    assert re.search(r'<strong class="budget-remaining">5</strong> / 5', page)
    for number in range(1, 6):
        assert flash(
            mediator, post(mediator, f"/console/tickets/{ticket_id}/reply", text=f"第{number}条")
        ).startswith("回复已送达")
    assert [reply.text.splitlines()[-1] for _, reply in sender.sent] == [f"第{n}条" for n in range(1, 6)]
    spent = mediator.get(f"/console/tickets/{ticket_id}/live").text
    assert "5 条客服消息已经用完" in spent and "发送模板通知" in spent
    refused = flash(mediator, post(mediator, f"/console/tickets/{ticket_id}/reply", text="第六条"))
    assert refused.startswith("回复未送达") and "额度" in refused and len(sender.sent) == 5
    notice = flash(mediator, post(mediator, f"/console/tickets/{ticket_id}/notice"))
    assert notice == "通知未发送：未配置微信模板消息（WECHAT_NOTICE_TEMPLATE_ID）"
    with site.services.database.session() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.user_id == openid)
            .values(last_inbound_at=utcnow() - timedelta(days=3), outbound_since_inbound=0)
        )
    expired = mediator.get(f"/console/tickets/{ticket_id}/live").text
    assert "已超过 48 小时" in expired and "发送模板通知" in expired
    site.services.engine.handle(Inbound(Channel.WECHAT, openid, InboundKind.TEXT, text="我在"))
    assert re.search(
        r'<strong class="budget-remaining">5</strong>', mediator.get(f"/console/tickets/{ticket_id}").text
    )
