"""Admin pages over a real server: canned replies (placeholders checked before saving) and the questions the
assistant could not answer; mediators and visitors are kept out, forms need the CSRF token."""

import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.canned import CannedReply
from core.clock import utcnow
from core.consultations import Consultation, record_consultation
from support.console import Site as ServedSite
from support.console import csrf, flash, not_found, serve_site


class Site(ServedSite):
    def canned(self) -> dict[str, str]:
        with self.services.database.session() as session:
            return {
                reply.title: reply.body
                for reply in session.scalars(select(CannedReply).order_by(CannedReply.id))
            }


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "console-admin", Site) as site:
        yield site


def test_admin_pages_are_for_admins(site: Site) -> None:
    visitor, mediator = site.client(), site.client("wang")
    for path in ("/console/canned", "/console/unanswered", "/console/kb/gaps"):
        assert visitor.get(path).status_code == 303
        assert mediator.get(path).status_code == 403
    token = csrf(mediator)
    refused = mediator.post("/console/canned", data={"csrf_token": token, "title": "x", "body": "y"})
    assert refused.status_code == 403 and "x" not in site.canned()
    nav = mediator.get("/console").text
    assert "/console/canned" not in nav and "/console/kb/gaps" not in nav
    assert "/console/canned" in site.client("boss").get("/console").text


def test_canned_replies_are_listed_added_edited_and_deleted(site: Site) -> None:
    admin = site.client("boss")
    page = admin.get("/console/canned").text
    assert "确认收到" in page and "{case_number}" in page and "案件编号" in page, (
        "defaults and the placeholders"
    )
    token = csrf(admin)
    added = admin.post(
        "/console/canned",
        data={
            "csrf_token": token,
            "title": "电话未接通",
            "body": "您好，{mediator}刚才给您打电话没有接通，案件{case_number}请回个电话。",
        },
    )
    assert flash(admin, added) == "已添加“电话未接通”"
    assert site.canned()["电话未接通"].startswith("您好，{mediator}")
    reply_id = re.search(
        r'id="canned-(\d+)">\s*<h3>电话未接通</h3>', admin.get("/console/canned").text
    ).group(1)
    edited = admin.post(
        f"/console/canned/{reply_id}",
        data={"csrf_token": token, "title": "未接通", "body": "您好，案件{case_number}：电话没有接通。"},
    )
    assert flash(admin, edited) == "已保存“未接通”"
    assert (
        site.canned()["未接通"] == "您好，案件{case_number}：电话没有接通。"
        and "电话未接通" not in site.canned()
    )
    deleted = admin.post(f"/console/canned/{reply_id}/delete", data={"csrf_token": token})
    assert flash(admin, deleted) == "已删除“未接通”" and "未接通" not in site.canned()
    gone = admin.post(f"/console/canned/{reply_id}/delete", data={"csrf_token": token})
    assert not_found(gone).startswith("这条常用回复已经不存在")
    edit_gone = admin.post(f"/console/canned/{reply_id}", data={"csrf_token": token, "title": "新", "body": "新"})
    assert not_found(edit_gone).startswith("这条常用回复已经不存在")


def test_unknown_placeholders_are_refused_with_the_form_kept(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    before = site.canned()
    for body in ("您好，{cse_number}已受理", "您好，{case_number", "您好，{}"):
        response = admin.post("/console/canned", data={"csrf_token": token, "title": "错字", "body": body})
        assert response.status_code == 422, body
        assert "占位符有误" in html.unescape(response.text)
        assert html.escape(body, quote=False) in response.text, "what was typed is kept in the form"
    assert site.canned() == before
    first = re.search(r'id="canned-(\d+)"', admin.get("/console/canned").text).group(1)
    response = admin.post(
        f"/console/canned/{first}", data={"csrf_token": token, "title": "改", "body": "{employer"}
    )
    assert response.status_code == 422 and "<details open>" in response.text
    assert (
        admin.post("/console/canned", data={"csrf_token": token, "title": " ", "body": "x"}).status_code
        == 422
    )
    assert admin.post("/console/canned", data={"title": "无令牌", "body": "x"}).status_code == 403
    assert site.canned() == before


def test_unanswered_questions_are_listed_without_user_ids_at_the_gaps(site: Site) -> None:
    """The old address leads to the gaps, which list the same questions (grouped there)."""
    with site.services.database.session() as session:
        record_consultation(
            session, "wechat", "openid-secret-1", "外卖骑手摔伤了算工伤吗", None, confident=False
        )
        record_consultation(
            session, "web", "web-secret-2", "干满一年有没有年假", "annual-leave", confident=True
        )
        record_consultation(
            session, "telegram", "tg-secret-3", "我的电话13812345678被公司泄露了怎么办", None, confident=False
        )
        session.flush()
        session.execute(
            update(Consultation)
            .where(Consultation.user_id == "openid-secret-1")
            .values(created_at=utcnow() - timedelta(days=2))
        )
    admin = site.client("boss")
    page = admin.get("/console/unanswered", follow_redirects=True).text
    questions = [html.unescape(q) for q in re.findall(r'<h2 class="gap-question">(.*?)</h2>', page)]
    assert set(questions) >= {"我的电话138****5678被公司泄露了怎么办", "外卖骑手摔伤了算工伤吗"}
    assert "干满一年有没有年假" not in questions, "answered questions are not listed"
    assert "secret" not in page, "no user ids"
