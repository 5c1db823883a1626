"""The knowledge-base pages over a real server and database: who may open what, cards edited on the draft
(an unknown article refused by name, a preview that saves nothing, the form prefilled from a gap), how the
draft answers a card's phrasings, publishing with visible build progress, and rolling back."""

import html
import re
from collections.abc import Iterator

import pytest

from core import knowledge_base as kb
from core.kb_items import ItemKind
from support.console import Site as ServedSite
from support.console import csrf, flash, not_found, staffed_site
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION, answered_card, wait_until
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

KB_PAGES = ("/console/kb/statutes", "/console/kb/cards", "/console/kb/policies", "/console/kb/stations",
            "/console/kb/versions")
SUB_NAV = {"/console/kb/statutes": "法规", "/console/kb/cards": "卡片", "/console/kb/policies": "政策",
           "/console/kb/stations": "服务站", "/console/kb/versions": "版本", "/console/kb/hit-test": "命中测试",
           "/console/kb/gaps": "未解答", "/console/kb/feedback": "反馈"}


class Site(ServedSite):
    def draft_cards(self) -> dict[str, dict]:
        with self.services.database.session() as session:
            return {row.key: row.data for row in kb.draft_items(session, ItemKind.CARD)}

    def current(self) -> int:
        with self.services.database.session() as session:
            return kb.head(session).number


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("console-kb"), laws, FIXTURE_CARDS)
    with staffed_site(knowledge.settings, Site) as site:
        yield site


def card_form(card: dict, token: str, **extra: str) -> dict:
    """The card form as a browser posts it: phrasings a line each, citations as law/article rows."""
    citations = card["citations"]
    return {
        "csrf_token": token,
        "title": card["title"],
        "topic": card["topic"],
        "questions": "\n".join(card["questions"]),
        "answer": card["answer"],
        "citation_law": [law for law, _ in citations] + [""],
        "citation_article": [str(number) for _, number in citations] + [""],
        "tags": "、".join(card["tags"]),
        "action": card.get("action") or "",
        **extra,
    }


def field_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def test_visitors_go_to_login_and_mediators_only_read(site: Site) -> None:
    visitor = site.client()
    for path in (*KB_PAGES, "/console/kb/cards/new", "/console/kb/cards/annual-leave"):
        response = visitor.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login"), path
    mediator = site.client("wang")
    for path in KB_PAGES:
        page = mediator.get(path)
        assert page.status_code == 200, path
        assert 'class="primary" href="/console/kb/' not in page.text, f"no create button on {path}"
        assert "/console/kb/gaps" not in page.text, "gaps are for admins"
    card = mediator.get("/console/kb/cards/annual-leave").text
    assert '<fieldset class="kb-fields" disabled>' in card and "保存到草稿" not in card
    assert mediator.get("/console/kb/cards/new").status_code == 403
    token = csrf(mediator)
    form = card_form(ARBITRATION_CARD, token)
    assert mediator.post("/console/kb/cards/new", data=form).status_code == 403
    assert mediator.post("/console/kb/cards/annual-leave", data=form).status_code == 403
    assert mediator.post("/console/kb/cards/annual-leave/delete", data={"csrf_token": token}).status_code == 403
    assert mediator.post("/console/kb/versions/publish", data={"csrf_token": token}).status_code == 403
    assert mediator.post("/console/kb/versions/rollback", data={"csrf_token": token, "to": "1"}).status_code == 403
    assert mediator.post("/console/kb/versions/discard", data={"csrf_token": token}).status_code == 403
    assert set(site.draft_cards()) == {"annual-leave", "overdue-pay"}
    assert "/console/kb/cards" not in mediator.get("/console").text, "the main nav has 知识库 for admins only"


def test_admins_see_the_kb_entry_and_every_kb_page_in_the_sub_navigation(site: Site) -> None:
    admin = site.client("boss")
    assert '<a href="/console/kb/cards">知识库</a>' in admin.get("/console").text
    for path in KB_PAGES:
        page = admin.get(path).text
        nav = re.search(r'<nav class="kb-nav" aria-label="知识库">(.*?)</nav>', page, re.S).group(1)
        links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav))
        assert links == SUB_NAV, path
        assert re.search(rf'<a href="{path}" aria-current="page">', nav), path
    assert admin.get("/console/kb").headers["location"] == "/console/kb/cards"


def test_cards_are_listed_searched_and_filtered(site: Site) -> None:
    admin = site.client("boss")
    everything = admin.get("/console/kb/cards").text
    assert 'data-card="annual-leave"' in everything and 'data-card="overdue-pay"' in everything
    leave = admin.get("/console/kb/cards", params={"topic": "leave"}).text
    assert 'data-card="annual-leave"' in leave and 'data-card="overdue-pay"' not in leave
    searched = admin.get("/console/kb/cards", params={"q": "带薪"}).text
    assert 'data-card="annual-leave"' in searched and 'data-card="overdue-pay"' not in searched
    nothing = admin.get("/console/kb/cards", params={"q": "没有这种卡片"}).text
    assert "没有符合条件的卡片" in nothing


def test_the_new_card_form_is_prefilled_from_the_query(site: Site) -> None:
    admin = site.client("boss")
    page = admin.get("/console/kb/cards/new", params=[("question", "快递丢件要我赔吗"), ("question", "丢了件扣工资合法吗"),
                                                      ("title", "丢件赔偿")])
    assert page.status_code == 200
    questions = re.search(r'<textarea id="field-questions"[^>]*>(.*?)</textarea>', page.text, re.S).group(1)
    assert html.unescape(questions) == "快递丢件要我赔吗\n丢了件扣工资合法吗"
    assert 'id="field-title" name="title" value="丢件赔偿"' in page.text
    assert "示例劳动争议调解办法" in page.text, "imported laws to cite"


def test_an_unknown_article_is_refused_by_name_and_the_form_kept(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    card = {**ARBITRATION_CARD, "citations": [["示例劳动争议调解办法", 9], ["示例劳动争议调解办法", 3]]}
    response = admin.post("/console/kb/cards/new", data=card_form(card, token))
    assert response.status_code == 422
    assert field_error(response.text, "citations") == "未导入的条文：《示例劳动争议调解办法》第九条"
    assert "调解不成的，当事人可以申请仲裁" in response.text, "the good citation shows its text"
    assert html.escape(ARBITRATION_CARD["answer"], quote=False) in response.text, "what was typed is kept"
    short = admin.post("/console/kb/cards/new", data=card_form({**ARBITRATION_CARD, "questions": ["只有一个"]}, token))
    assert short.status_code == 422 and field_error(short.text, "questions").startswith("至少写 3 种")
    bad_number = admin.post("/console/kb/cards/new", data={**card_form(ARBITRATION_CARD, token),
                                                           "citation_article": ["三条半", ""]})
    assert bad_number.status_code == 422 and "条号要写数字" in field_error(bad_number.text, "citations")
    taken = admin.post("/console/kb/cards/new", data=card_form(ARBITRATION_CARD, token, id="annual-leave"))
    assert taken.status_code == 409 and "已经有卡片在用" in field_error(taken.text, "id")
    bad_id = admin.post("/console/kb/cards/new", data=card_form(ARBITRATION_CARD, token, id="Bad Id"))
    assert bad_id.status_code == 422 and field_error(bad_id.text, "id")
    assert set(site.draft_cards()) == {"annual-leave", "overdue-pay"}


def test_a_card_preview_shows_the_answer_and_articles_and_saves_nothing(site: Site) -> None:
    admin = site.client("boss")
    response = admin.post("/console/kb/cards/new", data=card_form(ARBITRATION_CARD, csrf(admin), preview="1"))
    assert response.status_code == 200
    preview = re.search(r'<section class="panel kb-preview".*?</section>', response.text, re.S).group(0)
    assert html.escape(ARBITRATION_CARD["answer"], quote=False) in preview
    assert "《示例劳动争议调解办法》第三条" in preview and "调解不成的，当事人可以申请仲裁" in preview
    assert "申请调解" in preview, "the next step"
    assert "arbitration" not in site.draft_cards() and len(site.draft_cards()) == 2


def test_articles_can_be_picked_by_number_or_words(site: Site) -> None:
    admin = site.client("boss")
    by_number = admin.get("/console/kb/articles", params={"law": "示例劳动争议调解办法", "q": "第三条"}).text
    assert 'data-cite-article="3"' in by_number and by_number.count("data-cite-law=") == 1
    by_words = admin.get("/console/kb/articles", params={"q": "仲裁"}).text
    assert 'data-cite-law="示例劳动争议调解办法" data-cite-article="3"' in by_words
    assert "没有找到" in html.unescape(admin.get("/console/kb/articles", params={"q": "月球"}).text)


def test_a_card_saved_to_the_draft_answers_there_then_goes_live_when_published_and_back_on_rollback(
    site: Site,
) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    before = site.current()
    saved = admin.post("/console/kb/cards/new", data=card_form(ARBITRATION_CARD, token, id="arbitration"))
    assert saved.headers["location"] == "/console/kb/cards/arbitration"
    assert flash(admin, saved).startswith("已添加到草稿：调解不成可以申请仲裁")
    assert site.draft_cards()["arbitration"]["citations"] == [["示例劳动争议调解办法", 3]]
    page = admin.get("/console/kb/cards/arbitration").text
    assert "新增，未发布" in page and "调解不成的，当事人可以申请仲裁" in page
    tried = admin.get("/console/kb/cards/arbitration/answers").text
    assert f"“{ARBITRATION_QUESTION}”" in tried and "由这张卡片回答" in tried, "the draft answers with the card"
    assert answered_card(site.url, ARBITRATION_QUESTION) != "arbitration", "not live before publishing"

    versions = admin.get("/console/kb/versions").text
    assert "卡片新增" in versions and "调解不成可以申请仲裁" in versions and "发布草稿" in versions
    published = admin.post("/console/kb/versions/publish", data={"csrf_token": token, "note": "仲裁卡片"})
    assert flash(admin, published) == f"已发布第 {before + 1} 版，各服务器正在更新索引"
    wait_until(lambda: 'data-done="yes"' in admin.get("/console/kb/versions/status").text)
    status = admin.get("/console/kb/versions/status")
    assert status.headers["cache-control"] == "no-store"
    assert f"所有服务器都已在使用第 {before + 1} 版" in status.text and 'value="100"' in status.text
    assert answered_card(site.url, ARBITRATION_QUESTION) == "arbitration"
    listing = admin.get("/console/kb/versions").text
    row = re.search(rf'<tr id="version-{before + 1}".*?</tr>', listing, re.S).group(0)
    assert "boss" in row and "仲裁卡片" in row and "当前" in row
    again = admin.post("/console/kb/versions/publish", data={"csrf_token": token})
    assert flash(admin, again) == "草稿没有改动，不用发布"

    rolled = admin.post("/console/kb/versions/rollback", data={"csrf_token": token, "to": str(before)})
    assert flash(admin, rolled).startswith(f"已回滚到第 {before} 版的内容（发布为第 {before + 2} 版）")
    wait_until(lambda: answered_card(site.url, ARBITRATION_QUESTION) != "arbitration")
    assert "arbitration" not in site.draft_cards(), "the draft follows the rollback"
    assert not_found(admin.get("/console/kb/cards/arbitration")).startswith("草稿里没有编号为 arbitration 的卡片")


def test_an_edit_waits_in_the_draft_and_rollback_refuses_to_drop_it_unasked(site: Site) -> None:
    admin = site.client("boss")
    token = csrf(admin)
    card = site.draft_cards()["annual-leave"]
    edited = admin.post("/console/kb/cards/annual-leave",
                        data=card_form({**card, "tags": ["年假", "年休假", "带薪年假"]}, token))
    assert flash(admin, edited).startswith("已保存到草稿：每年有几天带薪假")
    assert "已修改，未发布" in admin.get("/console/kb/cards").text
    current = site.current()
    refused = admin.post("/console/kb/versions/rollback", data={"csrf_token": token, "to": "1"})
    assert "草稿里还有没发布的改动" in flash(admin, refused) and site.current() == current
    discarded = admin.post("/console/kb/versions/discard", data={"csrf_token": token})
    assert flash(admin, discarded) == "已放弃草稿里的 1 处改动，草稿回到已发布的版本"
    assert site.draft_cards()["annual-leave"]["tags"] == card["tags"]
    deleted = admin.post("/console/kb/cards/overdue-pay/delete", data={"csrf_token": token})
    assert "已从草稿删除卡片" in flash(admin, deleted) and "overdue-pay" not in site.draft_cards()
    same = admin.post("/console/kb/versions/rollback", data={"csrf_token": token, "to": "1", "discard_draft": "true"})
    assert flash(admin, same) == "第 1 版和现在发布的内容一样，不用回滚", "version 1 was restored already"
    with_card = str(current - 1)  # the version that added the arbitration card
    both = admin.post("/console/kb/versions/rollback",
                      data={"csrf_token": token, "to": with_card, "discard_draft": "true"})
    assert f"已回滚到第 {with_card} 版" in flash(admin, both) and site.current() == current + 1
    assert {"overdue-pay", "arbitration"} <= set(site.draft_cards()), "the deletion was dropped, the card is back"
    missing = admin.post("/console/kb/versions/rollback", data={"csrf_token": token, "to": "999"})
    assert flash(admin, missing) == "没有第 999 版"
    assert admin.post("/console/kb/versions/publish", data={"note": "无令牌"}).status_code == 403
