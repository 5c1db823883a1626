"""The knowledge-base loop and the account pages over a real server and database, as an admin's browser
uses them: hit test (published beside the draft), gaps (grouped, a pre-filled card link, handled), feedback
counts, users (create, disable, reset password, change role, never no admin left) and the audit log
(filters, formula-safe CSV). Mediators and visitors are kept out."""

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from core.audit import AuditEntry
from core.clock import local, utcnow
from core.consultations import Consultation, record_consultation
from core.feedback import give_feedback
from core.gaps import HandledGap
from support.console import Site as ServedSite
from support.console import PASSWORD, csrf, flash, not_found, staffed_site
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

PAGES = ("/console/kb/hit-test", "/console/kb/gaps", "/console/kb/feedback", "/console/users", "/console/audit")


class Site(ServedSite):
    def audit(self, action: str) -> list[AuditEntry]:
        with self.services.database.session() as session:
            query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            return list(session.scalars(query))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("console-kb-loop"), laws, FIXTURE_CARDS)
    with staffed_site(knowledge.settings, Site) as site:
        yield site


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_the_pages_are_for_admins_only(site: Site) -> None:
    visitor, mediator, admin = site.client(), site.client("wang"), site.client("boss")
    for path in PAGES:
        assert visitor.get(path).status_code == 303, path
        assert mediator.get(path).status_code == 403, path
        assert admin.get(path).status_code == 200, path
    token = csrf(mediator)
    posts = ("/console/kb/gaps/1/handled", "/console/users", "/console/users/li/active", "/console/users/li/role")
    for path in posts:
        assert mediator.post(path, data={"csrf_token": token, "role": "admin", "active": "false"}).status_code == 403
    assert mediator.get("/console/audit/export.csv").status_code == 403
    nav = mediator.get("/console").text
    assert all(path not in nav for path in ("/console/users", "/console/audit", "/console/kb/gaps"))
    nav = admin.get("/console").text
    assert all(path in nav for path in ("/console/users", "/console/audit", "/console/kb/gaps"))


def test_the_old_unanswered_address_leads_to_the_gaps(site: Site) -> None:
    moved = site.client("boss").get("/console/unanswered")
    assert (moved.status_code, moved.headers["location"]) == (301, "/console/kb/gaps")


def test_hit_test_shows_the_reply_what_it_rests_on_and_the_ranks(site: Site) -> None:
    page = site.client("boss").get("/console/kb/hit-test", params={"q": "干满一年有没有年假"}).text
    sides = re.findall(r'<article class="panel hit-side".*?</article>', page, re.S)
    assert len(sides) == 1 and "草稿和已发布版本相同" in page
    side = text_of(sides[0])
    assert "已发布版本（第 1 版）" in side and "有把握" in side
    assert "按示例条例，连续工作满一年的职工每年有带薪休假" in side, "the worker's reply"
    assert "每年有几天带薪假" in side and "annual-leave" in side, "the card"
    assert "《示例职工权益条例》第四条" in side
    first = re.search(r"<tbody>\s*<tr>(.*?)</tr>", sides[0], re.S).group(1)
    assert "card:annual-leave" in first and "卡片" in first and "第 1 名" in first, "ranked first by keywords"
    assert "语义排名" not in page, "no dense channel on this installation: no column that could only say 未命中"


def test_hit_test_puts_the_draft_beside_the_published_version(site: Site) -> None:
    bearer = site.api("boss")
    assert bearer.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "arbitration-draft"}).status_code == 201
    try:
        page = site.client("boss").get("/console/kb/hit-test", params={"q": ARBITRATION_QUESTION}).text
        published, draft = (text_of(s) for s in re.findall(r'<article class="panel hit-side".*?</article>', page, re.S))
        assert "已发布版本" in published and "arbitration-draft" not in published
        assert "草稿（未发布的修改）" in draft and "arbitration-draft" in draft and "调解不成可以申请仲裁" in draft
        assert "《示例劳动争议调解办法》第三条" in draft
    finally:
        bearer.delete("/api/kb/draft")


def test_hit_test_without_a_question_shows_only_the_form(site: Site) -> None:
    page = site.client("boss").get("/console/kb/hit-test").text
    assert 'id="hit-question"' in page and "hit-side" not in page
    assert site.client("boss").get("/console/kb/hit-test", params={"q": "x" * 1001}).status_code == 422


def asked(site: Site, question: str, days_ago: float = 0, card_id: str | None = None, confident: bool = False,
          helpful: bool | None = None) -> int:
    with site.services.database.session() as session:
        consultation = record_consultation(session, "web", "visitor-secret-9", question, card_id, confident)
        session.flush()
        session.execute(update(Consultation).where(Consultation.id == consultation.id)
                        .values(created_at=utcnow() - timedelta(days=days_ago)))
        if helpful is not None:
            give_feedback(session, consultation.id, helpful).created_at = utcnow() - timedelta(days=days_ago)
        return consultation.id


def gap_panels(page: str) -> dict[str, str]:
    """Each group's panel by its question."""
    panels = page.split('<li class="panel gap"')[1:]
    return {html.unescape(re.search(r'<h2 class="gap-question">(.*?)</h2>', p).group(1)): p for p in panels}


def test_gaps_are_grouped_with_trend_and_become_a_card_or_handled(site: Site) -> None:
    leader = asked(site, "公司不给交社保怎么办", days_ago=9)
    asked(site, "公司不给我交社保怎么办啊", days_ago=1)
    asked(site, "单位不给交社保怎么办", days_ago=0.5)
    asked(site, "年假怎么算才对", card_id="annual-leave", confident=True, helpful=False)
    asked(site, "干满一年有没有年假", card_id="annual-leave", confident=True)  # answered, no complaint
    admin = site.client("boss")
    page = admin.get("/console/kb/gaps").text
    panels = gap_panels(page)
    assert "干满一年有没有年假" not in panels and "visitor-secret" not in page
    social = text_of(panels["公司不给交社保怎么办"])
    assert "3 次" in social and "没答上 3" in social and "本周 2，上周 1 ↑" in social
    assert "没用 1" in text_of(panels["年假怎么算才对"]), "没用 feeds the gaps"
    link = html.unescape(re.search(r'<a class="primary small" href="([^"]+)">做成卡片', panels["公司不给交社保怎么办"]).group(1))
    parts = urlsplit(link)
    assert parts.path == "/console/kb/cards/new"
    prefill = parse_qs(parts.query)
    assert prefill["title"] == ["公司不给交社保怎么办"]
    assert set(prefill["question"]) == {"公司不给交社保怎么办", "公司不给我交社保怎么办啊", "单位不给交社保怎么办"}

    token = csrf(admin)
    handled = admin.post(f"/console/kb/gaps/{leader}/handled", data={"csrf_token": token})
    assert flash(admin, handled) == "已处理“公司不给交社保怎么办”等 3 个问题"
    assert "公司不给交社保怎么办" not in gap_panels(admin.get("/console/kb/gaps").text)
    with site.services.database.session() as session:
        assert len(list(session.scalars(select(HandledGap)))) >= 3
    [entry] = [e for e in site.audit("kb.gap.handled") if e.subject == f"gap:{leader}"]
    assert entry.actor == "boss" and entry.before == {"question": "公司不给交社保怎么办", "count": 3}
    again = admin.post(f"/console/kb/gaps/{leader}/handled", data={"csrf_token": token})
    assert not_found(again).startswith("这组问题已经处理过了")
    assert admin.post(f"/console/kb/gaps/{leader}/handled").status_code == 403, "no CSRF token"


def test_feedback_is_counted_per_card_and_per_article(site: Site) -> None:
    asked(site, "年底了年假还能休吗", card_id="annual-leave", confident=True, helpful=False)
    asked(site, "年假有几天", card_id="annual-leave", confident=True, helpful=True)
    asked(site, "老板拖工资", card_id="overdue-pay", confident=True, helpful=True)
    asked(site, "很久以前的问题", days_ago=40, card_id="overdue-pay", confident=True, helpful=False)
    admin = site.client("boss")
    page = admin.get("/console/kb/feedback", params={"period": "7"}).text
    cards = re.search(r'<table class="listing feedback-table" id="card-feedback">(.*?)</table>', page, re.S).group(1)
    rows = [text_of(row).split() for row in re.findall(r"<tr>(.*?)</tr>", cards.split("<tbody>")[1], re.S)]
    leave = next(row for row in rows if "annual-leave" in row)
    pay = next(row for row in rows if "overdue-pay" in row)
    assert rows.index(leave) < rows.index(pay), "the most unhelpful first"
    assert int(leave[-2]) >= 1 and int(leave[-1]) >= 1 and pay[-2:] == ["1", "0"], "有用, 没用 in the last 7 days"
    articles = text_of(re.search(r'id="article-feedback">(.*?)</table>', page, re.S).group(1))
    assert "《示例职工权益条例》第四条" in articles
    everything = admin.get("/console/kb/feedback", params={"period": ""}).text
    all_cards = re.search(r'id="card-feedback">(.*?)</table>', everything, re.S).group(1)
    pay_all = next(text_of(r).split() for r in re.findall(r"<tr>(.*?)</tr>", all_cards, re.S) if "overdue-pay" in r)
    assert pay_all[-2:] == ["1", "1"], "the old 没用 counts without a time limit"


def login_works(site: Site, username: str, password: str) -> bool:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        return client.post("/console/login", data={"username": username, "password": password}).status_code == 303


def row_of(page: str, username: str) -> str:
    return text_of(re.search(rf'<tr id="user-{username}".*?</tr>', page, re.S).group(0))


def test_users_are_created_disabled_reset_and_given_roles(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    made = admin.post("/console/users", data={"csrf_token": token, "username": "zhou", "display_name": "周调解",
                                              "role": "mediator", "password": "first password"})
    assert flash(admin, made) == "已创建账号“周调解”（调解员）"
    assert "调解员" in row_of(admin.get("/console/users").text, "zhou") and login_works(site, "zhou", "first password")
    taken = admin.post("/console/users", data={"csrf_token": token, "username": "zhou", "display_name": "另一个",
                                               "role": "mediator", "password": "first password"})
    assert taken.status_code == 422 and "用户名 zhou 已经有人用了" in html.unescape(taken.text)
    assert 'value="另一个"' in taken.text, "what was typed is kept"
    short = admin.post("/console/users", data={"csrf_token": token, "username": "wu", "password": "short"})
    assert short.status_code == 422 and "密码至少要 8 个字符" in short.text
    assert "user-wu" not in admin.get("/console/users").text

    zhou = site.client()
    assert zhou.post("/console/login", data={"username": "zhou", "password": "first password"}).status_code == 303
    reset = admin.post("/console/users/zhou/password", data={"csrf_token": token, "password": "second password"})
    assert flash(admin, reset).startswith("已重设 zhou 的密码")
    assert zhou.get("/console").status_code == 303, "the open session ended"
    assert not login_works(site, "zhou", "first password") and login_works(site, "zhou", "second password")
    too_short = admin.post("/console/users/zhou/password", data={"csrf_token": token, "password": "1234"})
    assert flash(admin, too_short) == "密码至少要 8 个字符" and login_works(site, "zhou", "second password")

    promoted = admin.post("/console/users/zhou/role", data={"csrf_token": token, "role": "admin"})
    assert flash(admin, promoted) == "zhou 现在是管理员"
    disabled = admin.post("/console/users/zhou/active", data={"csrf_token": token, "active": "false"})
    assert flash(admin, disabled) == "已停用 zhou" and "已停用" in row_of(admin.get("/console/users").text, "zhou")
    assert not login_works(site, "zhou", "second password")
    enabled = admin.post("/console/users/zhou/active", data={"csrf_token": token, "active": "true"})
    assert flash(admin, enabled) == "已启用 zhou" and login_works(site, "zhou", "second password")
    assert not_found(admin.post("/console/users/nobody/active", data={"csrf_token": token})) == "没有用户 nobody"

    [created] = [e for e in site.audit("user.create") if e.subject == "user:zhou"]
    assert created.actor == "boss" and created.after["role"] == "mediator"
    [role] = [e for e in site.audit("user.set_role") if e.subject == "user:zhou"]
    assert (role.before, role.after) == ({"role": "mediator"}, {"role": "admin"})
    assert [e.after for e in site.audit("user.disable") if e.subject == "user:zhou"] == [{"active": False}]
    demoted = admin.post("/console/users/zhou/role", data={"csrf_token": token, "role": "mediator"})
    assert flash(admin, demoted) == "zhou 现在是调解员"


def test_the_last_active_admin_can_neither_be_disabled_nor_demoted(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    for path, data in (("active", {"active": "false"}), ("role", {"role": "mediator"})):
        refused = admin.post(f"/console/users/boss/{path}", data={"csrf_token": token, **data})
        assert flash(admin, refused).startswith("boss 是最后一位在用的管理员")
    row = row_of(admin.get("/console/users").text, "boss")
    assert "管理员" in row and "在用" in row and login_works(site, "boss", PASSWORD)


def test_the_audit_log_filters_and_exports_formula_safe_csv(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    admin.post("/console/users", data={"csrf_token": token, "username": "csv-test", "display_name": "表格测试点我",
                                       "role": "mediator", "password": "long enough 1"})
    page = admin.get("/console/audit", params={"actor": "boss", "action": "user."}).text
    table = re.search(r'<table class="listing" id="audit-table">(.*?)</table>', page, re.S).group(1)
    actions = re.findall(r"<code>(.*?)</code>", table)
    assert actions and all(action.startswith("user.") for action in actions) and "user.create" in actions
    assert "user:csv-test" in table and "&#34;display_name&#34;: &#34;表格测试点我&#34;" in table, (
        "before/after shown, Chinese as written")

    today = local(utcnow(), site.services.settings.timezone).date()
    later = admin.get("/console/audit", params={"since": (today + timedelta(days=1)).isoformat()}).text
    assert "没有符合条件的记录" in later
    until_yesterday = admin.get("/console/audit", params={"until": (today - timedelta(days=1)).isoformat()}).text
    assert "user:csv-test" not in until_yesterday
    assert "user:csv-test" in admin.get("/console/audit", params={"since": today.isoformat(),
                                                                  "until": today.isoformat()}).text
    assert admin.get("/console/audit", params={"since": "yesterday"}).status_code == 422

    exported = admin.get("/console/audit/export.csv", params={"actor": "boss", "action": "user."})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "time", "actor", "action", "subject", "detail", "before", "after"]
    [created] = [row for row in rows[1:] if row[4] == "user:csv-test"]
    assert created[3] == "user.create" and "点我" in created[7]
    [export] = site.audit("export.audit")[-1:]
    assert export.actor == "boss" and "action=user." in export.detail


def test_a_formula_typed_as_a_login_name_is_exported_as_text(site: Site) -> None:
    """The log keeps what a stranger typed at the login form; a spreadsheet must not run it."""
    formula = '=HYPERLINK("http://evil.example","点我")'
    with httpx.Client(base_url=site.url, timeout=15) as stranger:
        assert stranger.post("/console/login", data={"username": formula, "password": "guess"}).status_code != 303
    exported = site.client("boss").get("/console/audit/export.csv", params={"action": "login"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert f"'{formula}" in [row[2] for row in rows if row[3] == "login.failed"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
