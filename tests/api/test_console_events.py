"""Admin console, events: create and edit with validation, capacity and cancellation promoting in order,
check-in by code or by ticking, participant exports — over a real server and database."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import count
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEntry
from core.clock import aware
from core.events import Event, Registrant, Registration, register
from core.members import Application, apply, approve
from core.messages import Channel
from core.users import LoginSession, Role, User
from core.validation import mask_phone
from support.console import PASSWORD, not_found, serve_site
from support.console import Site as ServedSite
from support.outbound import RecordingSender

WORKERS = count(1)
LOCAL_START = "2031-05-01T09:00"


@dataclass
class Site(ServedSite):
    telegram: RecordingSender = field(default_factory=lambda: RecordingSender(Channel.TELEGRAM))

    def event(self, capacity: int, title: str = "职工乒乓球赛", **fields: object) -> int:
        with self.services.database.session() as session:
            event = Event(title=title, kind="sports", starts_at=datetime.now(timezone.utc) + timedelta(days=7),
                          capacity=capacity, place="东疆职工活动中心", **fields)
            session.add(event)
            session.flush()
            return event.id

    def registers(self, event_id: int, name: str, member_id: int | None = None) -> Registration:
        """A worker registering from Telegram chat, as the events flow does it."""
        worker = next(WORKERS)
        registrant = Registrant(Channel.TELEGRAM, f"tg-{worker}", name, f"1360000{worker:04d}", member_id)
        with self.services.database.write_session() as session:
            return register(session, event_id, registrant)

    def approved_member(self, name: str) -> tuple[int, str]:
        """A union member (id and member number) as an admin's approval leaves them."""
        with self.services.database.session() as session:
            admin = session.scalar(select(User).where(User.username == "events-admin"))
            member, _ = apply(session, Application(Channel.TELEGRAM, f"member-{name}", name, f"1350000{next(WORKERS):04d}"))
            approve(member, admin)
            return member.id, member.number

    def registration(self, registration_id: int) -> Registration:
        with self.services.database.session() as session:
            return session.get(Registration, registration_id)

    def stored(self, event_id: int) -> Event:
        with self.services.database.session() as session:
            return session.get(Event, event_id)

    def audits(self, action: str) -> list[AuditEntry]:
        with self.services.database.session() as session:
            return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))

    def sent_since(self, mark: int) -> list[tuple[str, str]]:
        return [(user, reply.text) for user, reply in self.telegram.sent[mark:]]


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    staff = (("events-admin", Role.ADMIN, "活动管理员"), ("events-mediator", Role.MEDIATOR, "活动调解员"))
    with serve_site(fixture_kb, tmp_path_factory, "console-events", Site, staff, cards_dir=None) as site:
        site.services.outbound.register(site.telegram)
        yield site


def login(site: Site, username: str, password: str) -> tuple[httpx.Client, str]:
    client = site.client()
    assert client.post("/console/login", data={"username": username, "password": password}).status_code == 303
    with site.services.database.session() as session:
        query = select(LoginSession.csrf_token).join(User).where(User.username == username)
        return client, session.scalars(query).all()[-1]


@pytest.fixture
def admin(site: Site) -> tuple[httpx.Client, str]:
    return login(site, "events-admin", PASSWORD)


def form(token: str, **fields: str) -> dict[str, str]:
    """A complete, valid event form; fields override."""
    values = {"csrf_token": token, "title": "职工篮球友谊赛", "kind": "sports", "starts": LOCAL_START,
              "ends": "2031-05-01T11:30", "deadline": "2031-04-30T18:00", "place": "保税区体育馆", "capacity": "2",
              "members_only": "on", "description": "每队5人，自带球衣。"}
    return {k: v for k, v in {**values, **fields}.items() if v is not None}


def as_stored(site: Site, event_id: int, token: str, **fields: str) -> dict[str, str]:
    """The edit form of an event as the page fills it in, with changes."""
    event = site.stored(event_id)
    starts = aware(event.starts_at).astimezone(ZoneInfo("Asia/Shanghai"))
    stored = {"title": event.title, "kind": event.kind, "starts": f"{starts:%Y-%m-%dT%H:%M}", "ends": "", "deadline": "",
              "place": event.place, "capacity": str(event.capacity), "members_only": None, "description": ""}
    return form(token, **{**stored, **fields})


def status_cell(page: str, registration_id: int) -> str:
    row = page.split(f'data-registration="{registration_id}"')[1].split("</tr>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_only_admins_and_only_with_the_csrf_token(site: Site, admin) -> None:
    event_id = site.event(capacity=1, title="权限测试活动")
    confirmed = site.registers(event_id, "权限甲")
    assert site.client().get("/console/events").status_code == 303
    mediator, mediator_token = login(site, "events-mediator", PASSWORD)
    for path in ("/console/events", "/console/events/new", f"/console/events/{event_id}",
                 f"/console/events/{event_id}/edit", f"/console/events/{event_id}/participants.csv"):
        assert mediator.get(path).status_code == 403, path
    assert mediator.post("/console/events/new", data=form(mediator_token)).status_code == 403
    assert mediator.post(f"/console/events/{event_id}/check-in",
                         data={"csrf_token": mediator_token, "code": confirmed.code}).status_code == 403
    client, _ = admin
    assert client.post("/console/events/new", data=form("forged")).status_code == 403
    assert client.post(f"/console/events/{event_id}/edit", data=form("", capacity="5")).status_code == 403
    assert client.post(f"/console/events/{event_id}/registrations/{confirmed.id}/cancel").status_code == 403
    assert client.post(f"/console/events/{event_id}/check-in", data={"code": confirmed.code}).status_code == 403
    assert site.registration(confirmed.id).status == "confirmed" and site.stored(event_id).capacity == 1


def test_validation_problems_are_shown_on_the_form_and_nothing_is_saved(site: Site, admin) -> None:
    client, token = admin
    before = client.get("/console/events").text.count("data-event=")
    bad = client.post("/console/events/new", data=form(token, title="", ends="2031-05-01T08:00",
                                                       deadline="2031-05-02T08:00", capacity="0"))
    assert bad.status_code == 422
    assert "有 4 处需要修改" in bad.text
    for message in ("请填写活动名称。", "结束时间要晚于开始时间。", "报名截止时间不能晚于开始时间。", "名额请填 1 到"):
        assert message in bad.text, message
    assert f'value="{LOCAL_START}"' in bad.text and "保税区体育馆" in bad.text and "每队5人，自带球衣。" in bad.text
    assert 'id="field-capacity"' in bad.text and 'aria-invalid="true"' in bad.text
    garbled = client.post("/console/events/new", data=form(token, starts="明天上午", capacity="两个"))
    assert garbled.status_code == 422 and "开始时间的格式不对。" in garbled.text and "名额请填" in garbled.text
    huge = client.post("/console/events/new", data=form(token, title="长" * 101, capacity="9" * 5000))
    assert huge.status_code == 422 and "最多 100 个字。" in huge.text and "名额请填" in huge.text
    past = client.post("/console/events/new", data=form(token, starts="2020-01-01T09:00", ends="", deadline=""))
    assert past.status_code == 422 and "开始时间已经过去了。" in past.text
    assert client.get("/console/events").text.count("data-event=") == before


def test_created_in_local_time_stored_in_utc_listed_and_edited(site: Site, admin) -> None:
    client, token = admin
    created = client.post("/console/events/new", data=form(token))
    assert created.status_code == 303
    event_id = int(re.fullmatch(r"/console/events/(\d+)", created.headers["location"]).group(1))
    event = site.stored(event_id)
    assert aware(event.starts_at) == datetime(2031, 5, 1, 1, 0, tzinfo=timezone.utc)
    assert aware(event.ends_at) == datetime(2031, 5, 1, 3, 30, tzinfo=timezone.utc)
    assert aware(event.registration_deadline) == datetime(2031, 4, 30, 10, 0, tzinfo=timezone.utc)
    assert (event.kind, event.capacity, event.members_only, event.place) == ("sports", 2, True, "保税区体育馆")
    page = client.get(created.headers["location"])
    assert "活动已创建" in page.text and "2031-05-01 09:00 至 2031-05-01 11:30" in page.text
    assert "活动已创建" not in client.get(created.headers["location"]).text, "a flash is shown once"
    listing = client.get("/console/events").text
    upcoming = listing.split("已经开始或结束")[0]
    row = upcoming.split(f'data-event="{event_id}"')[1].split("</tr>")[0]
    assert "职工篮球友谊赛" in row and "0/2" in row and "仅限会员" in row
    edit = client.get(f"/console/events/{event_id}/edit")
    assert f'value="{LOCAL_START}"' in edit.text and 'value="2031-04-30T18:00"' in edit.text
    assert 'name="members_only" checked' in edit.text
    saved = client.post(f"/console/events/{event_id}/edit", data=form(token, title="职工篮球赛（改期）",
                                                                      starts="2031-05-02T14:00", ends="",
                                                                      deadline="", members_only=None))
    assert saved.status_code == 303 and saved.headers["location"] == f"/console/events/{event_id}"
    assert "修改已保存。" in client.get(saved.headers["location"]).text
    event = site.stored(event_id)
    assert event.title == "职工篮球赛（改期）" and event.ends_at is None and not event.members_only
    assert aware(event.starts_at) == datetime(2031, 5, 2, 6, 0, tzinfo=timezone.utc)
    wrong = client.post(f"/console/events/{event_id}/edit", data=form(token, ends="2031-05-01T08:00"))
    assert wrong.status_code == 422 and "结束时间要晚于开始时间。" in wrong.text
    assert not_found(client.get("/console/events/999999")) == "没有这个活动"


def test_a_larger_capacity_promotes_the_waitlist_in_order_and_tells_them(site: Site, admin) -> None:
    client, token = admin
    event_id = site.event(capacity=1, title="书法体验课")
    first, second, third, fourth = (site.registers(event_id, name) for name in ("甲一", "乙二", "丙三", "丁四"))
    assert [r.status for r in (first, second, third, fourth)] == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    listing = client.get("/console/events").text
    row = listing.split(f'data-event="{event_id}"')[1].split("</tr>")[0]
    assert "1/1" in row and "<td data-label=\"候补\">3</td>" in row
    page = client.get(f"/console/events/{event_id}").text
    assert "候补 第 2 位" in status_cell(page, third.id)
    mark = len(site.telegram.sent)
    response = client.post(f"/console/events/{event_id}/edit", data=as_stored(site, event_id, token, capacity="3"))
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "修改已保存。候补转正：乙二、丙三，已按候补先后转为正式报名" in page
    assert "已报名" in status_cell(page, second.id) and "候补转正" in status_cell(page, second.id)
    assert "候补 第 1 位" in status_cell(page, fourth.id)
    sent = site.sent_since(mark)
    assert [user for user, _ in sent] == [second.user_id, third.user_id]
    assert all("已从候补转为正式报名" in text and "书法体验课" in text for _, text in sent)
    assert f"签到码：{second.code}" in sent[0][1]
    smaller = client.post(f"/console/events/{event_id}/edit", data=as_stored(site, event_id, token, capacity="1"))
    assert site.stored(event_id).capacity == 1
    shown = client.get(smaller.headers["location"]).text
    assert re.search(r'<p class="flash flash-done" role="status">修改已保存。</p>', shown), "no one promoted"
    assert [site.registration(r.id).status for r in (first, second, third, fourth)] == [
        "confirmed", "confirmed", "confirmed", "waitlisted"], "a smaller capacity bumps no one"


def test_check_in_by_code_with_clear_messages_and_by_ticking(site: Site, admin) -> None:
    client, token = admin
    event_id = site.event(capacity=2, title="普法讲座：工伤认定")
    first, second, waiting = (site.registers(event_id, name) for name in ("签到甲", "签到乙", "签到丙"))
    other_event = site.event(capacity=5, title="别的活动")
    elsewhere = site.registers(other_event, "别处人")
    url = f"/console/events/{event_id}/check-in"
    wrong = client.post(url, data={"csrf_token": token, "code": "ZZZZZZ"})
    assert wrong.status_code == 422 and "签到码 ZZZZZZ 不对" in wrong.text and 'value="ZZZZZZ"' in wrong.text
    if elsewhere.code not in (first.code, second.code, waiting.code):
        assert "不对" in client.post(url, data={"csrf_token": token, "code": elsewhere.code}).text
    waitlisted = client.post(url, data={"csrf_token": token, "code": waiting.code})
    assert waitlisted.status_code == 422 and "签到丙 还在候补" in waitlisted.text
    empty = client.post(url, data={"csrf_token": token, "code": "  "})
    assert empty.status_code == 422 and "请输入报名人聊天里显示的签到码" in empty.text
    done = client.post(url, data={"csrf_token": token, "code": f" {first.code.lower()} "}, follow_redirects=True)
    assert f"已签到：签到甲（{first.phone[:3]}****{first.phone[-4:]}）。" in done.text
    assert "已签到" in status_cell(done.text, first.id)
    assert site.registration(first.id).status == "checked_in"
    again = client.post(url, data={"csrf_token": token, "code": first.code}, follow_redirects=True)
    assert re.search(r'class="flash flash-warn" role="status">签到甲 之前已经签到过了（20\d\d-', again.text)
    tick_url = f"/console/events/{event_id}/registrations/check-in"
    refused = client.post(tick_url, data={"csrf_token": token, "registration": [str(second.id), str(waiting.id)]})
    assert refused.status_code == 409 and "签到丙（候补）没有正式名额" in refused.text
    assert site.registration(second.id).status == "confirmed", "all or none"
    foreign = client.post(tick_url, data={"csrf_token": token, "registration": [str(elsewhere.id)]})
    assert foreign.status_code == 409 and site.registration(elsewhere.id).status == "confirmed"
    ticked = client.post(tick_url, data={"csrf_token": token, "registration": [str(second.id)]}, follow_redirects=True)
    assert "已签到：签到乙（" in ticked.text and site.registration(second.id).status == "checked_in"
    assert "请先勾选" in client.post(tick_url, data={"csrf_token": token}).text
    listing = client.get("/console/events").text.split(f'data-event="{event_id}"')[1].split("</tr>")[0]
    assert "2/2" in listing and "已签到 2" in listing


def test_cancelling_on_someones_behalf_promotes_the_first_waiting_and_tells_them(site: Site, admin) -> None:
    client, token = admin
    event_id = site.event(capacity=1, title="职工摄影展")
    held, first_waiting, second_waiting = (site.registers(event_id, n) for n in ("取消甲", "候补乙", "候补丙"))
    mark = len(site.telegram.sent)
    cancel = f"/console/events/{event_id}/registrations/{held.id}/cancel"
    response = client.post(cancel, data={"csrf_token": token, "registration": [str(held.id)]})
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已替 取消甲 取消报名。候补转正：候补乙，已按候补先后转为正式报名" in page
    assert "已取消" in status_cell(page, held.id) and "已报名" in status_cell(page, first_waiting.id)
    assert "候补 第 1 位" in status_cell(page, second_waiting.id)
    [(user, text)] = site.sent_since(mark)
    assert user == first_waiting.user_id and f"签到码：{first_waiting.code}" in text
    assert site.audits("registration.cancel")[-1].detail == f"event {event_id} registration {held.id}"
    twice = client.post(cancel, data={"csrf_token": token})
    assert twice.status_code == 409 and "已经取消或已签到" in twice.text
    assert len(site.telegram.sent) == mark + 1
    client.post(f"/console/events/{event_id}/check-in", data={"csrf_token": token, "code": first_waiting.code})
    checked = client.post(f"/console/events/{event_id}/registrations/{first_waiting.id}/cancel", data={"csrf_token": token})
    assert checked.status_code == 409 and site.registration(second_waiting.id).status == "waitlisted"
    waiting_out = client.post(f"/console/events/{event_id}/registrations/{second_waiting.id}/cancel",
                              data={"csrf_token": token}, follow_redirects=True)
    assert "已替 候补丙 取消报名。没有候补的人需要递补。" in waiting_out.text
    other = site.event(capacity=1, title="另一个活动")
    assert not_found(client.post(f"/console/events/{other}/registrations/{held.id}/cancel",
                                 data={"csrf_token": token})) == "这个活动没有这条报名"


def test_participant_lists_export_in_order_and_are_audited(site: Site, admin) -> None:
    client, token = admin
    event_id = site.event(capacity=1, title="技能比武：叉车")
    member_id, number = site.approved_member("导出甲")
    confirmed, waiting = site.registers(event_id, "导出甲", member_id), site.registers(event_id, "导出乙")
    page = client.get(f"/console/events/{event_id}").text
    assert "导出报名名单 CSV" in page and "CSV（含完整手机号）" in page and confirmed.phone not in page
    assert f"会员 {number}" in status_cell(page, confirmed.id)
    response = client.get(f"/console/events/{event_id}/participants.csv")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["序号", "状态", "候补位次", "姓名", "手机号", "会员服务卡号"]
    assert [row[:7] for row in rows[1:]] == [
        ["1", "已报名", "", "导出甲", mask_phone(confirmed.phone), number, "Telegram"],
        ["2", "候补", "1", "导出乙", mask_phone(waiting.phone), "", "Telegram"],
    ]
    revealed = client.get(f"/console/events/{event_id}/participants.xlsx", params={"reveal": 1})
    sheet = load_workbook(io.BytesIO(revealed.content))["报名名单"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[3] for row in values[1:]] == ["导出甲", "导出乙"] and values[2][2] == 1
    assert [row[4] for row in values[1:]] == [confirmed.phone, waiting.phone]
    entries = site.audits("registrations.export")[-2:]
    assert [e.detail.split()[0] for e in entries] == ["csv", "xlsx"]
    assert [e.detail.split()[-1] for e in entries] == ["phones=masked", "phones=revealed"]
    assert all(e.actor == "events-admin" and f"event {event_id} rows=2" in e.detail for e in entries)
