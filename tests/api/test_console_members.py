"""Admin console, members: list, search, approve and reject with the worker told, exports — over a real server."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEntry
from core.members import Application, Member, apply
from core.messages import Channel
from core.outbound import WindowClosed
from core.users import LoginSession, Role, User
from core.validation import mask_phone
from support.console import PASSWORD, not_found, serve_site
from support.console import Site as ServedSite
from support.outbound import RecordingSender

PHONES = count(13700000001)


@dataclass
class Site(ServedSite):
    telegram: RecordingSender = field(default_factory=lambda: RecordingSender(Channel.TELEGRAM))

    def login(self, username: str, password: str) -> tuple[httpx.Client, str]:
        """A console session and its CSRF token."""
        client = self.client()
        response = client.post("/console/login", data={"username": username, "password": password, "next": "/console/members"})
        assert response.status_code == 303, response.text
        page = client.get("/console/members")
        return client, re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)

    def applicant(self, name: str, channel: Channel = Channel.TELEGRAM, **work: str) -> tuple[int, str, str]:
        """A pending application as the chat flow files it; the member id, phone and channel user id."""
        phone, user = str(next(PHONES)), f"{channel}-{name}"
        with self.services.database.session() as session:
            member, _ = apply(session, Application(channel, user, name, phone, **work))
            return member.id, phone, user

    def member(self, member_id: int) -> Member:
        with self.services.database.session() as session:
            return session.get(Member, member_id)

    def audits(self, action: str) -> list[AuditEntry]:
        with self.services.database.session() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    staff = (("members-admin", Role.ADMIN, "会员管理员"), ("members-mediator", Role.MEDIATOR, "会员调解员"))
    with serve_site(fixture_kb, tmp_path_factory, "console-members", Site, staff, cards_dir=None) as site:
        site.services.outbound.register(site.telegram)
        site.services.outbound.register(RecordingSender(Channel.WECHAT, failure=WindowClosed("48 小时窗口已关闭")))
        yield site


@pytest.fixture
def admin(site: Site) -> tuple[httpx.Client, str]:
    return site.login("members-admin", PASSWORD)


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-member="(\d+)"', html)]


def test_only_admins_see_members_and_posts_need_the_csrf_token(site: Site, admin) -> None:
    member_id, _, _ = site.applicant("权限测试")
    logged_out = site.client().get("/console/members")
    assert logged_out.status_code == 303 and logged_out.headers["location"].startswith("/console/login")
    mediator = site.client()
    mediator.post("/console/login", data={"username": "members-mediator", "password": PASSWORD})
    for path in ("/console/members", "/console/members/export.csv", "/console/members/export.xlsx"):
        assert mediator.get(path).status_code == 403, path
    with site.services.database.session() as session:
        mediator_token = session.scalars(
            select(LoginSession.csrf_token).join(User).where(User.username == "members-mediator")
        ).all()[-1]
    refused = mediator.post(f"/console/members/{member_id}/approve", data={"csrf_token": mediator_token})
    assert refused.status_code == 403 and "只有管理员" in refused.text
    client, token = admin
    assert client.post(f"/console/members/{member_id}/approve").status_code == 403
    assert client.post(f"/console/members/{member_id}/approve", data={"csrf_token": "forged"}).status_code == 403
    assert client.post(f"/console/members/{member_id}/reject", data={"note": "伪造请求"}).status_code == 403
    assert site.member(member_id).status == "pending" and not site.telegram.sent
    assert not_found(client.post("/console/members/999999/approve", data={"csrf_token": token})) == "没有这个会员申请"


def test_newest_first_with_search_status_filter_and_gig_workers_marked(site: Site, admin) -> None:
    client, token = admin
    employee, employee_phone, _ = site.applicant("钱工人", employer="天津示例港务有限公司")
    rider, rider_phone, _ = site.applicant("孙骑手", platform="示例外卖东疆站", occupation="外卖骑手")
    page = client.get("/console/members")
    ids = listed_ids(page.text)
    assert ids == sorted(ids, reverse=True) and ids.index(rider) < ids.index(employee)
    rider_row = page.text.split(f'data-member="{rider}"')[1].split("</tr>")[0]
    assert "新就业形态" in rider_row and "外卖骑手 · 示例外卖东疆站" in rider_row and "Telegram" in rider_row
    assert rider_phone not in page.text and f"{rider_phone[:3]}****{rider_phone[-4:]}" in rider_row
    assert listed_ids(client.get("/console/members", params={"q": "港务"}).text) == [employee]
    assert listed_ids(client.get("/console/members", params={"q": rider_phone[-6:]}).text) == [rider]
    assert listed_ids(client.get("/console/members", params={"q": "东疆站"}).text) == [rider]
    client.post(f"/console/members/{employee}/approve", data={"csrf_token": token})
    number = site.member(employee).number
    assert listed_ids(client.get("/console/members", params={"q": number}).text) == [employee]
    approved = listed_ids(client.get("/console/members", params={"status": "approved"}).text)
    pending = listed_ids(client.get("/console/members", params={"status": "pending"}).text)
    assert employee in approved and employee not in pending and rider in pending and rider not in approved
    empty = client.get("/console/members", params={"q": "没有这个人", "status": "rejected"})
    assert listed_ids(empty.text) == [] and "没有符合条件的会员" in empty.text
    assert site.audits("members.view")[-1].actor == "members-admin"


def test_approving_a_web_chat_worker_sends_the_member_number_to_their_chat(site: Site, admin) -> None:
    worker = site.client()
    phone = str(next(PHONES))
    for text in ("入会", "在单位上班", "周网友", phone, "天津示例物流有限公司", "同意", "确认提交"):
        replies = worker.post("/api/chat", json={"text": text}).json()["replies"]
    assert "入会申请已经提交" in replies[0]["text"]
    client, token = admin
    found = client.get("/console/members", params={"q": "周网友"})
    [member_id] = listed_ids(found.text)
    assert "网页" in found.text and "审核中" in found.text
    before = worker.get("/api/chat/updates").json()["last_id"]
    response = client.post(f"/console/members/{member_id}/approve",
                           data={"csrf_token": token, "q": "周网友", "status": ""})
    assert response.status_code == 303 and "q=%E5%91%A8%E7%BD%91%E5%8F%8B" in response.headers["location"]
    page = client.get(response.headers["location"])
    number = site.member(member_id).number
    assert number and f"已批准 周网友 入会，会员服务卡号 {number}。卡号已经通过消息发给本人。" in page.text
    assert "flash-done" in page.text
    [message] = worker.get("/api/chat/updates", params={"after": before}).json()["messages"]
    assert f"你的会员服务卡号是：{number}" in message["text"]
    status = worker.post("/api/chat", json={"text": "我的会员"}).json()["replies"][0]["text"]
    assert f"会员服务卡号：{number}" in status
    again = client.post(f"/console/members/{member_id}/approve", data={"csrf_token": token})
    assert again.status_code == 409 and "已经是会员了" in again.text


def test_when_the_message_cannot_be_delivered_the_admin_is_told(site: Site, admin) -> None:
    member_id, _, _ = site.applicant("吴微信", Channel.WECHAT, employer="示例公司")
    client, token = admin
    page = client.post(f"/console/members/{member_id}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert site.member(member_id).status == "approved"
    assert "flash-warn" in page.text and "消息没能送达本人" in page.text and "请电话告知卡号" in page.text


def test_rejecting_needs_a_reason_which_the_worker_is_told(site: Site, admin) -> None:
    member_id, _, user = site.applicant("郑申请", employer="示例公司")
    client, token = admin
    missing = client.post(f"/console/members/{member_id}/reject", data={"csrf_token": token, "note": " "})
    assert missing.status_code == 422 and "请填写不通过的原因" in missing.text
    assert site.member(member_id).status == "pending"
    sent = len(site.telegram.sent)
    page = client.post(f"/console/members/{member_id}/reject",
                       data={"csrf_token": token, "note": "单位不在自贸区工会范围内"}, follow_redirects=True)
    assert "已将 郑申请 的申请标为未通过。原因已经通过消息告诉本人。" in page.text
    assert "原因：单位不在自贸区工会范围内" in page.text
    [(to, reply)] = site.telegram.sent[sent:]
    assert to == user and "单位不在自贸区工会范围内" in reply.text
    member = site.member(member_id)
    assert (member.status, member.note, member.number) == ("rejected", "单位不在自贸区工会范围内", None)
    twice = client.post(f"/console/members/{member_id}/reject", data={"csrf_token": token, "note": "再次不通过"})
    assert twice.status_code == 409


def test_exports_carry_the_filtered_list_masked_unless_revealed_and_are_audited(site: Site, admin) -> None:
    client, _ = admin
    first, first_phone, _ = site.applicant("导出甲", employer="示例导出公司")
    second, second_phone, _ = site.applicant("导出乙", platform="示例快递站", occupation="快递员")
    page = client.get("/console/members", params={"q": "导出"})
    assert "含完整手机号" in page.text and 'href="/console/members/export.csv?q=%E5%AF%BC%E5%87%BA&amp;status="' in page.text
    response = client.get("/console/members/export.csv", params={"q": "导出"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["会员服务卡号", "姓名", "手机号", "就业形态"]
    assert [row[1:4] for row in rows[1:]] == [["导出乙", mask_phone(second_phone), "新就业形态"],
                                              ["导出甲", mask_phone(first_phone), "单位职工"]]
    assert first_phone not in response.text
    assert rows[1][5:8] == ["示例快递站", "快递员", "审核中"] and rows[2][4] == "示例导出公司"
    revealed = client.get("/console/members/export.xlsx", params={"q": "导出", "reveal": 1})
    workbook = load_workbook(io.BytesIO(revealed.content))
    sheet = workbook["会员名单"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][2] == "手机号" and [row[2] for row in values[1:]] == [second_phone, first_phone]
    entries = site.audits("members.export")[-2:]
    assert [e.actor for e in entries] == ["members-admin"] * 2
    assert entries[0].detail.startswith("csv q='导出'") and "rows=2" in entries[0].detail
    assert "phones=masked" in entries[0].detail
    assert entries[1].detail.startswith("xlsx") and "phones=revealed" in entries[1].detail
