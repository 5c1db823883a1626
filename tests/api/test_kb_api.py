"""`/api/kb` over a real server with bearer tokens: editing the draft, publishing and rolling back (the
server answers from the new version without a restart), statute previews and imports, hit testing,
gaps, feedback and the audit log."""

import csv
import io
from collections.abc import Iterator
from contextlib import nullcontext

import httpx
import pytest

from core.consultations import record_consultation
from core.feedback import give_feedback
from support.console import Site, staffed_site
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION, answered_card, wait_until
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base
from support.postgres import postgres_url

NEW_LAW = FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"
OLD_LAW = FIXTURE_LAWS / "示例职工权益条例(2020-05-01).md"
MEDIATION_RULES = FIXTURE_LAWS / "示例调解办法.txt"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request, tmp_path_factory) -> Iterator[Site]:
    """The whole module on the embedded database and on PostgreSQL, where versions, drafts and the audit log
    live in another dialect's types and locks."""
    data_dir = tmp_path_factory.mktemp("kb-api")
    with postgres_url() if request.param == "postgres" else nullcontext(None) as url:
        overrides = {"database_url": url} if url else {}
        knowledge = make_knowledge_base(data_dir, [NEW_LAW, MEDIATION_RULES], FIXTURE_CARDS, **overrides)
        with staffed_site(knowledge.settings) as site:
            yield site


def current(site: Site) -> int:
    return site.api("boss").get("/api/kb/versions").json()["current"]


def leave_quote(site: Site) -> str:
    return httpx.post(f"{site.url}/api/ask", json={"question": "年假怎么算"}).json()["citations"][0]["quote"]


def test_mediators_read_and_only_admins_change(site: Site) -> None:
    assert httpx.get(f"{site.url}/api/kb/cards").status_code == 401
    mediator = site.api("wang")
    cards = mediator.get("/api/kb/cards")
    assert cards.status_code == 200 and {c["id"] for c in cards.json()} == {"annual-leave", "overdue-pay"}
    assert all(c["state"] == "published" for c in cards.json())
    assert mediator.post("/api/kb/cards", json=ARBITRATION_CARD).status_code == 403
    assert mediator.delete("/api/kb/cards/annual-leave").status_code == 403
    assert mediator.post("/api/kb/publish", json={}).status_code == 403
    assert mediator.get("/api/kb/audit").status_code == 403
    assert mediator.get("/api/kb/gaps").status_code == 403
    assert mediator.post("/api/kb/hit-test", json={"question": "年假怎么算"}).status_code == 200


def test_a_card_is_checked_before_it_reaches_the_draft(site: Site) -> None:
    admin = site.api("boss")
    unknown = admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "citations": [["示例劳动争议调解办法", 9]]})
    assert unknown.status_code == 422
    [error] = unknown.json()["detail"]
    assert error["loc"] == ["body", "citations", 0] and "《示例劳动争议调解办法》第九条" in error["msg"]
    short = admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "questions": ["只有一个"]})
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "questions"]
    assert admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "topic": "weather"}).status_code == 422
    assert admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "Bad Id"}).status_code == 422
    assert admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "annual-leave"}).status_code == 409
    assert {c["id"] for c in admin.get("/api/kb/cards").json()} == {"annual-leave", "overdue-pay"}
    assert admin.get("/api/kb/versions").json()["pending"]["card"] == {"added": [], "changed": [], "removed": []}


def test_publish_makes_an_edit_live_and_rollback_takes_it_back(site: Site) -> None:
    admin = site.api("boss")
    before = current(site)
    assert answered_card(site.url, ARBITRATION_QUESTION) != "arbitration"

    created = admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "arbitration"})
    assert created.status_code == 201, created.text
    assert created.json()["id"] == "arbitration" and created.json()["state"] == "new"
    assert admin.get("/api/kb/cards/arbitration").json()["citations"] == [["示例劳动争议调解办法", 3]]
    pending = admin.get("/api/kb/versions").json()["pending"]
    assert pending["card"]["added"] == [{"id": "arbitration", "title": "调解不成可以申请仲裁"}]
    assert answered_card(site.url, ARBITRATION_QUESTION) != "arbitration", "a draft edit is not live"

    published = admin.post("/api/kb/publish", json={"note": "仲裁卡片"})
    assert published.status_code == 201, published.text
    version = published.json()["version"]
    assert version["number"] == before + 1 and version["published_by"] == "boss" and version["note"] == "仲裁卡片"
    assert version["summary"]["card"]["added"] == [{"id": "arbitration", "title": "调解不成可以申请仲裁"}]
    wait_until(lambda: answered_card(site.url, ARBITRATION_QUESTION) == "arbitration")
    status = admin.get("/api/kb/status").json()
    assert status["current"] == before + 1
    servers = [(s["knowledge_version"], s["state"], s["percent"]) for s in status["servers"]]
    assert servers == [(before + 1, "ready", 100)]
    assert admin.post("/api/kb/publish", json={}).status_code == 409, "nothing left to publish"

    rolled = admin.post("/api/kb/rollback", json={})
    assert rolled.status_code == 201, rolled.text
    assert rolled.json()["version"]["restores"] == before
    assert rolled.json()["version"]["summary"]["card"]["removed"] == [{"id": "arbitration", "title": "调解不成可以申请仲裁"}]
    wait_until(lambda: answered_card(site.url, ARBITRATION_QUESTION) != "arbitration")
    assert admin.get("/api/kb/cards/arbitration").status_code == 404, "the draft follows the rollback"
    numbers = [v["number"] for v in admin.get("/api/kb/versions").json()["versions"]]
    assert numbers[:3] == [before + 2, before + 1, before]


def test_edits_and_deletions_wait_in_the_draft_until_published(site: Site) -> None:
    admin = site.api("boss")
    card = admin.get("/api/kb/cards/annual-leave").json()
    fields = {key: card[key] for key in ("title", "topic", "questions", "answer", "citations", "tags", "action")}
    changed = admin.put("/api/kb/cards/annual-leave", json={**fields, "tags": ["年假", "年休假"]})
    assert changed.status_code == 200 and changed.json()["state"] == "changed"
    assert admin.put("/api/kb/cards/nope", json=fields).status_code == 404
    assert admin.delete("/api/kb/cards/overdue-pay").status_code == 204
    assert admin.get("/api/kb/cards", params={"q": "年休假"}).json()[0]["id"] == "annual-leave"
    assert admin.get("/api/kb/cards", params={"topic": "wages"}).json() == []
    assert admin.post("/api/kb/rollback", json={}).status_code == 409, "unpublished edits stop a rollback"
    thrown = admin.delete("/api/kb/draft")
    assert thrown.status_code == 200
    assert thrown.json()["card"]["changed"] == [{"id": "annual-leave", "title": "每年有几天带薪假"}]
    assert thrown.json()["card"]["removed"] == [{"id": "overdue-pay", "title": "单位拖延发工资"}]
    assert {c["id"]: c["state"] for c in admin.get("/api/kb/cards").json()} == {
        "annual-leave": "published", "overdue-pay": "published"
    }


def test_policies_and_stations_are_edited_the_same_way(site: Site) -> None:
    admin = site.api("boss")
    policy = admin.post("/api/kb/policies", json={"title": "法律援助", "body": "摘要一句。\n\n## 申请条件\n\n困难职工可以申请。"})
    assert policy.status_code == 201, policy.text
    assert policy.json()["id"] == f"policy-{len(admin.get('/api/kb/policies').json())}"
    assert [s["heading"] for s in policy.json()["sections"]] == ["概述", "申请条件"]
    assert admin.post("/api/kb/policies", json={"title": "空的", "body": "> 只有引用"}).status_code == 422
    station = {
        "name": "测试服务站", "kind": "outdoor", "area": "测试片区", "address": "测试路1号", "latitude": 39.1,
        "longitude": 117.2, "hours": "全天", "phone": "022-0000-0000", "services": ["饮水"],
    }
    created = admin.post("/api/kb/stations", json={**station, "id": "test-station"})
    assert created.status_code == 201 and created.json()["aliases"] == []
    assert admin.put("/api/kb/stations/test-station", json={**station, "latitude": 91}).status_code == 422
    admin.delete("/api/kb/draft")


def test_statute_preview_shows_problems_and_changes_before_anything_is_written(site: Site, tmp_path) -> None:
    admin = site.api("boss")
    broken = "# 示例职工权益条例\n\n<!-- INFO END -->\n\n第一条 一。\n\n第三条 三。\n\n第四条\n\n第四条 又一个四。\n"
    files = [("files", ("示例职工权益条例(2023-01-01).md", broken.encode(), "text/markdown"))]
    [preview] = admin.post("/api/kb/statutes", params={"dry_run": "true"}, files=files).json()
    assert [(p["line"], "out of order" in p["message"] or "no text" in p["message"]) for p in preview["problems"]] == [
        (7, True), (9, True), (11, True)
    ]
    assert preview["action"] == "replaced" and preview["version_date"] == "2023-01-01"
    refused = admin.post("/api/kb/statutes", files=files)
    assert refused.status_code == 422 and ":7:" in refused.json()["detail"][0]["msg"]

    old = [("files", (OLD_LAW.name, OLD_LAW.read_bytes(), "text/markdown"))]
    [older] = admin.post("/api/kb/statutes", params={"dry_run": "true"}, files=old).json()
    assert older["action"] == "kept newer version" and older["problems"] == []
    assert older["chapters"] == ["第一章 总则", "第二章 休息休假"]
    assert "第三条之一" in older["changes"]["added"] and [c["label"] for c in older["changes"]["changed"]][:1] == ["第一条"]
    assert admin.get("/api/kb/statutes/示例职工权益条例").json()[3]["text"].endswith("七天。"), "nothing written"
    assert admin.post("/api/kb/statutes", files=[("files", ("notes.pdf", b"x", "application/pdf"))]).status_code == 422


def test_importing_a_statute_publishes_it_and_keeps_the_old_version(site: Site) -> None:
    admin = site.api("boss")
    before = current(site)
    old = [("files", (OLD_LAW.name, OLD_LAW.read_bytes(), "text/markdown"))]
    imported = admin.post("/api/kb/statutes", files=old, data={"force": "true"})
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["imported"][0]["action"] == "replaced" and body["version"]["number"] == before + 1
    assert body["version"]["summary"]["statute"]["changed"] == [{"id": "示例职工权益条例", "title": "示例职工权益条例"}]
    versions = admin.get("/api/kb/statutes/示例职工权益条例/versions").json()
    assert [(v["version_date"], v["live"]) for v in versions][:2] == [("2020-05-01", True), ("2022-01-01", False)]
    diff = admin.get("/api/kb/statutes/示例职工权益条例/diff").json()
    assert diff["added"] == ["第三条之一", "第六条"] and diff["removed"] == [], "from the 2022 text to the 2020 one"
    fourth = next(c for c in diff["changed"] if c["label"] == "第四条")
    assert "七天" in fourth["before"] and "五天" in fourth["after"]
    wait_until(lambda: "五天" in leave_quote(site))

    assert admin.post("/api/kb/rollback", json={}).status_code == 201
    wait_until(lambda: "七天" in leave_quote(site))
    assert admin.get("/api/kb/statutes/示例职工权益条例").json()[3]["text"].endswith("七天。")


def test_hit_test_shows_ranks_per_channel_and_the_draft_beside(site: Site) -> None:
    admin = site.api("boss")
    result = admin.post("/api/kb/hit-test", json={"question": "干满一年有没有年假"}).json()
    assert result["card_id"] == "annual-leave" and result["confident"] and result["knowledge_version"] == current(site)
    first = result["passages"][0]
    assert first["kind"] == "card" and first["id"] == "card:annual-leave"
    assert first["channels"] == {"lexical": 1, "dense": None}
    assert result["citations"][0] == {"law": "示例职工权益条例", "article": 4, "label": "《示例职工权益条例》第四条",
                                      "imported": True}
    assert result["draft"] is None

    admin.post("/api/kb/cards", json={**ARBITRATION_CARD, "id": "arbitration-draft"})
    both = admin.post("/api/kb/hit-test", json={"question": ARBITRATION_QUESTION, "draft": True}).json()
    assert both["card_id"] != "arbitration-draft"
    assert both["draft"]["card_id"] == "arbitration-draft" and both["draft"]["knowledge_version"] is None
    admin.delete("/api/kb/draft")


def test_ask_reports_the_card_it_answered_from(site: Site) -> None:
    body = httpx.post(f"{site.url}/api/ask", json={"question": "单位拖着不发工资怎么办"}).json()
    assert body["card_id"] == "overdue-pay" and body["confident"]


def test_gaps_group_alike_questions_and_handled_clears_them(site: Site) -> None:
    with site.services.database.session() as session:
        for question in ["公司不给交社保怎么办", "公司不给我交社保怎么办啊", "单位不交社保怎么办"]:
            record_consultation(session, "web", "w1", question, None, False)
        helped_not = record_consultation(session, "web", "w2", "年假怎么算", "annual-leave", True)
        record_consultation(session, "web", "w3", "干满一年有没有年假", "annual-leave", True)  # confident, no word
        session.flush()
        give_feedback(session, helped_not.id, helpful=False)
    admin = site.api("boss")
    found = admin.get("/api/kb/gaps").json()
    social = next(g for g in found if "社保" in g["question"])
    assert social["count"] == 3 and social["unanswered"] == 3 and social["this_week"] == 3 and social["last_week"] == 0
    assert social["question"] == "公司不给交社保怎么办"
    leave = next(g for g in found if g["question"] == "年假怎么算")
    assert leave["unhelpful"] == 1 and leave["count"] == 1
    assert all("干满一年" not in g["question"] for g in found)

    assert admin.post(f"/api/kb/gaps/{social['id']}/handled").json()["count"] == 3
    assert all(g["id"] != social["id"] for g in admin.get("/api/kb/gaps").json())
    assert admin.post(f"/api/kb/gaps/{social['id']}/handled").status_code == 404

    feedback = admin.get("/api/kb/feedback").json()
    assert {"card_id": "annual-leave", "title": "每年有几天带薪假", "helpful": 0, "unhelpful": 1} in feedback["cards"]
    assert {"law": "示例职工权益条例", "article": 4, "helpful": 0, "unhelpful": 1} in feedback["articles"]


def test_every_change_is_audited_with_before_and_after(site: Site) -> None:
    admin = site.api("boss")
    entries = admin.get("/api/kb/audit", params={"subject": "card:arbitration"}).json()
    assert [e["action"] for e in entries][-1] == "kb.card.create"
    assert entries[-1]["actor"] == "boss" and entries[-1]["before"] is None
    assert entries[-1]["after"]["citations"] == [["示例劳动争议调解办法", 3]]
    updates = admin.get("/api/kb/audit", params={"action": "kb.card.update"}).json()
    assert updates and updates[-1]["before"]["tags"] == ["年假", "带薪休假"] and updates[-1]["after"]["tags"][1] == "年休假"
    publishes = admin.get("/api/kb/audit", params={"action": "kb.publish", "actor": "boss"}).json()
    assert publishes and all(e["subject"].startswith("version:") for e in publishes)
    exported = admin.get("/api/kb/audit", params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "time", "actor", "action", "subject", "detail", "before", "after"] and len(rows) > 5
