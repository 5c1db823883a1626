"""The statute pages over a real server and database: an upload is parsed and shown before anything is
written, a broken file names its lines and writes nothing, a huge one is refused, a clean one is imported
and published; each law's versions and what changed between two of them."""

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from api.routes.kb_api import MAX_UPLOAD_BYTES
from core import knowledge_base as kb
from core.statute_versions import StatuteVersion
from support.console import Site as ServedSite
from support.console import csrf, flash, staffed_site
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

# A made-up regulation written for these tests (not an official text).
RULES_V1 = """# 示例园区休息室管理规定

<!-- INFO END -->

## 第一章 总则

第一条 为了方便户外劳动者歇脚，制定本规定。

第二条 园区休息室向所有户外劳动者免费开放。

## 第二章 使用

第三条 休息室每日七时至二十一时开放。
"""
RULES_V2 = RULES_V1.replace("每日七时至二十一时开放", "每日六时至二十二时开放") + "\n第四条 休息室提供饮用热水。\n"
BROKEN = """# 示例编号错乱办法

<!-- INFO END -->

第一条 第一条内容。

第二条 第二条内容。

第五条 编号跳过了三和四。

第五条 编号又重复了。
"""


class Site(ServedSite):
    def counts(self) -> tuple[int, int]:
        """Statute versions recorded and knowledge versions published."""
        with self.services.database.session() as session:
            statutes = session.scalar(select(func.count()).select_from(StatuteVersion))
            return statutes, kb.head(session).number


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("console-kb-statutes"), laws, FIXTURE_CARDS)
    with staffed_site(knowledge.settings, Site) as site:
        yield site


def upload(client: httpx.Client, name: str, text: str | bytes, **fields: str) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/console/kb/statutes/preview",
        data={"csrf_token": csrf(client, "/console/kb/statutes"), **fields},
        files={"files": (name, data, "text/markdown")},
    )


def carried_form(page: str) -> dict[str, list[str]]:
    """The hidden fields of the preview page's import form, as the browser would send them."""
    form = re.search(r'<form method="post" action="/console/kb/statutes/import".*?</form>', page, re.S).group(0)
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def test_the_statutes_page_lists_laws_and_only_admins_upload(site: Site) -> None:
    assert site.client().get("/console/kb/statutes").status_code == 303
    mediator = site.client("wang")
    page = mediator.get("/console/kb/statutes")
    assert page.status_code == 200 and "示例职工权益条例" in page.text and "示例劳动争议调解办法" in page.text
    assert "/console/kb/statutes/preview" not in page.text, "no upload form for mediators"
    refused = upload(mediator, "示例园区休息室管理规定(2024-01-01).md", RULES_V1)
    assert refused.status_code == 403
    admin_page = site.client("boss").get("/console/kb/statutes").text
    assert 'action="/console/kb/statutes/preview"' in admin_page
    assert 'aria-current="page">法规</a>' in admin_page


def test_a_broken_file_shows_its_lines_and_writes_nothing(site: Site) -> None:
    admin = site.client("boss")
    before = site.counts()
    response = upload(admin, "示例编号错乱办法(2024-03-01).md", BROKEN)
    assert response.status_code == 422
    text = html.unescape(response.text)
    lines = [int(n) for n in re.findall(r'<span class="kb-line">第 (\d+) 行</span>', response.text)]
    assert lines and all(line > 0 for line in lines)
    assert 9 in lines or 11 in lines, f"the jump or repeat is located: {lines}"
    assert "有文件不能导入" in text and "/console/kb/statutes/import" not in response.text, "no import button"
    unreadable = upload(admin, "空白.md", "只有一行，没有标题\n")
    assert unreadable.status_code == 422 and "kb-problems" in unreadable.text
    wrong_type = upload(admin, "规定.pdf", RULES_V1)
    assert wrong_type.status_code == 422 and "只能上传" in html.unescape(wrong_type.text)
    assert site.counts() == before


def test_a_huge_upload_is_refused_unread(site: Site) -> None:
    admin = site.client("boss")
    before = site.counts()
    huge = RULES_V1.encode() + b"\n" + b"x" * MAX_UPLOAD_BYTES
    response = upload(admin, "示例园区休息室管理规定(2024-01-01).md", huge)
    assert response.status_code == 413 and "超过 5 MB" in html.unescape(response.text)
    assert site.counts() == before


def test_preview_then_import_publishes_and_versions_show_what_changed(site: Site) -> None:
    admin = site.client("boss")
    statutes, version = site.counts()
    preview = upload(admin, "示例园区休息室管理规定(2024-01-01).md", RULES_V1)
    assert preview.status_code == 200, preview.text
    text = html.unescape(preview.text)
    assert '<dd class="kb-article-count">3 条</dd>' in preview.text
    assert "2 章：第一章 总则、第二章 使用" in text and "新增法规" in text and "编号连续" in text
    assert site.counts() == (statutes, version), "a preview writes nothing"
    assert "示例园区休息室管理规定" not in admin.get("/console/kb/statutes").text

    imported = admin.post("/console/kb/statutes/import", data=carried_form(preview.text))
    assert "已导入《示例园区休息室管理规定》（3 条），发布为第" in flash(admin, imported)
    assert site.counts() == (statutes + 1, version + 1)

    second = upload(admin, "示例园区休息室管理规定(2024-06-01).md", RULES_V2)
    second_text = html.unescape(second.text)
    assert "替换现有版本" in second_text and "第四条" in second_text and "第三条" in second_text
    admin.post("/console/kb/statutes/import", data=carried_form(second.text))
    assert site.counts() == (statutes + 2, version + 2)

    law = admin.get("/console/kb/statutes/示例园区休息室管理规定")
    assert law.status_code == 200
    page = html.unescape(law.text)
    assert "2024-06-01" in page and "2024-01-01" in page and "在用" in page
    assert "每日七时至二十一时开放" in page and "每日六时至二十二时开放" in page, "the changed article, before/after"
    assert re.search(r"新增</span> 第四条", page)
    ids = re.findall(r'data-statute-version="(\d+)"', law.text)
    same = admin.get(f"/console/kb/statutes/示例园区休息室管理规定?old={ids[0]}&new={ids[0]}")
    assert "请选两个不同的版本" in html.unescape(same.text)
    mediator = site.client("wang").get("/console/kb/statutes/示例园区休息室管理规定")
    assert mediator.status_code == 200, "mediators may read versions"
    missing = admin.get("/console/kb/statutes/没有这部法")
    assert missing.status_code == 404 and "没有《没有这部法》这部法规" in html.unescape(missing.text)


def test_a_tampered_import_form_writes_nothing(site: Site) -> None:
    admin = site.client("boss")
    before = site.counts()
    token = csrf(admin, "/console/kb/statutes")
    broken = admin.post("/console/kb/statutes/import",
                        data={"csrf_token": token, "file_name": "x.md", "file_data_0": "%%%not base64"})
    assert "损坏" in flash(admin, broken)
    nothing = admin.post("/console/kb/statutes/import", data={"csrf_token": token})
    assert "没有收到要导入的文件" in flash(admin, nothing)
    assert admin.post("/console/kb/statutes/import", data={"file_name": "x.md"}).status_code == 403, "CSRF"
    assert site.counts() == before
