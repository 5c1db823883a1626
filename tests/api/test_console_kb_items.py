"""Policy and station pages over a real server and database: a Markdown policy previewed as the sections
the assistant answers from, stations with their coordinates checked, every save landing in the draft only."""

import html
import re
from collections.abc import Iterator

import pytest

from core import knowledge_base as kb
from core.kb_items import ItemKind
from support.console import Site as ServedSite
from support.console import csrf, flash, staffed_site
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

POLICY = {
    "title": "示例困难职工临时补助",
    "body": "家庭遇到突发困难的会员，可以申请一次临时补助。\n\n## 申请条件\n\n"
            "- 条件：入会满一年\n- 条件：家庭遭遇重病或灾害\n- 办理：向所在单位工会提交申请表\n"
            "- 办理：区总工会审核后发放\n- 下一步：服务站点\n\n## 补助标准\n\n按困难程度分档发放。",
}
STATION = {
    "name": "示例河畔驿站", "kind": "outdoor", "area": "河西区", "address": "示例路 8 号",
    "latitude": "39.0851", "longitude": "117.2209", "hours": "每天 8:00-20:00", "phone": "022-00000000",
    "services": "热水\n充电\n休息", "aliases": "河畔小站",
}


class Site(ServedSite):
    def draft(self, kind: ItemKind) -> dict[str, dict]:
        with self.services.database.session() as session:
            return {row.key: row.data for row in kb.draft_items(session, kind)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    laws = [FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("console-kb-items"), laws, FIXTURE_CARDS)
    with staffed_site(knowledge.settings, Site) as site:
        yield site


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_a_policy_is_previewed_as_its_sections_then_saved_to_the_draft(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    before = site.draft(ItemKind.POLICY)
    preview = admin.post("/console/kb/policies/new", data={"csrf_token": token, **POLICY, "preview": "1"})
    assert preview.status_code == 200
    shown = html.unescape(re.search(r'<section class="panel kb-preview".*?</section>', preview.text, re.S).group(0))
    assert "3 节" in shown
    assert "《示例困难职工临时补助》·概述" in shown and "《示例困难职工临时补助》·申请条件" in shown
    assert "入会满一年" in shown and "区总工会审核后发放" in shown and "下一步按钮" in shown
    assert site.draft(ItemKind.POLICY) == before, "a preview saves nothing"

    saved = admin.post("/console/kb/policies/new", data={"csrf_token": token, **POLICY, "id": "hardship-aid"})
    assert flash(admin, saved).startswith("已添加到草稿：示例困难职工临时补助")
    assert site.draft(ItemKind.POLICY)["hardship-aid"]["title"] == POLICY["title"]
    listing = admin.get("/console/kb/policies", params={"q": "临时补助"}).text
    assert 'data-policy="hardship-aid"' in listing and "新增，未发布" in listing

    empty = admin.post("/console/kb/policies/hardship-aid", data={"csrf_token": token, "title": "", "body": ""})
    assert empty.status_code == 422 and field_error(empty.text, "title").startswith("标题必填")
    bad_step = admin.post("/console/kb/policies/hardship-aid",
                          data={"csrf_token": token, "title": "补助", "body": "正文\n\n## 一节\n\n- 下一步：吃饭"})
    assert bad_step.status_code == 422 and "下一步" in field_error(bad_step.text, "body")
    huge = admin.post("/console/kb/policies/hardship-aid",
                      data={"csrf_token": token, "title": "补助", "body": "很长的正文。" * 4000})
    assert huge.status_code == 422 and field_error(huge.text, "body").startswith("太长了")
    assert site.draft(ItemKind.POLICY)["hardship-aid"]["title"] == POLICY["title"], "nothing changed"


def test_a_station_with_bad_coordinates_is_refused_field_by_field(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    before = site.draft(ItemKind.STATION)
    for latitude, longitude in (("91", "117.2"), ("北纬39度", "117.2"), ("", "")):
        response = admin.post("/console/kb/stations/new",
                              data={"csrf_token": token, **STATION, "latitude": latitude, "longitude": longitude})
        assert response.status_code == 422, (latitude, longitude)
        assert field_error(response.text, "latitude").startswith("纬度是 -90 到 90 之间的数字")
        assert f'name="latitude" value="{latitude}"' in response.text, "what was typed is kept"
    far = admin.post("/console/kb/stations/new", data={"csrf_token": token, **STATION, "longitude": "181"})
    assert far.status_code == 422 and field_error(far.text, "longitude").startswith("经度是")
    assert not field_error(far.text, "latitude")
    missing = admin.post("/console/kb/stations/new", data={"csrf_token": token, **STATION, "kind": ""})
    assert missing.status_code == 422 and field_error(missing.text, "kind") == "请选择站点类型"
    assert site.draft(ItemKind.STATION) == before


def test_a_station_is_saved_edited_and_found(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    preview = admin.post("/console/kb/stations/new", data={"csrf_token": token, **STATION, "preview": "1"})
    assert preview.status_code == 200 and "热水、充电、休息" in preview.text
    saved = admin.post("/console/kb/stations/new", data={"csrf_token": token, **STATION, "id": "riverside"})
    assert flash(admin, saved).startswith("已添加到草稿：示例河畔驿站")
    stored = site.draft(ItemKind.STATION)["riverside"]
    assert stored["latitude"] == 39.0851 and stored["services"] == ["热水", "充电", "休息"]
    assert stored["aliases"] == ["河畔小站"]
    edited = admin.post("/console/kb/stations/riverside", data={"csrf_token": token, **STATION, "hours": "全天开放"})
    assert flash(admin, edited).startswith("已保存到草稿")
    assert site.draft(ItemKind.STATION)["riverside"]["hours"] == "全天开放"
    found = admin.get("/console/kb/stations", params={"q": "河畔"}).text
    assert 'data-station="riverside"' in found and "户外劳动者驿站" in found
    mediator = site.client("wang").get("/console/kb/stations/riverside")
    assert mediator.status_code == 200 and "只有管理员可以修改" in mediator.text
    assert site.client("wang").post("/console/kb/stations/riverside",
                                    data={"csrf_token": csrf(site.client("wang")), **STATION}).status_code == 403
