"""An admin keeps the knowledge base in headless Chromium: uploads a statute file, reads the preview,
publishes, waits for the build, sees a worker's question answered with the new article in the web chat,
rolls back and sees that answer go. Every knowledge-base page is then looked at on a phone (390×844) and a
desk (1366×768): it fits the window, every button is readable, and a screenshot goes to tests/artifacts/
(`kb-<page>-<phone|desk>.png`)."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from knowledge.importer import import_statutes
from support.browser import (  # noqa: F401 (fixtures)
    VIEWPORTS,
    Browsing,
    ask,
    browsing,
    chromium,
    console_login,
    layout_problems,
    open_chat,
    screenshot,
)
from support.console import Site
from support.console import staffed_site
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

pytestmark = pytest.mark.browser

LAW = "示例冷库作业防寒规定"
# A made-up regulation written for this test (not an official text); only it speaks of warming up in a cold store.
STATUTE = f"""# {LAW}

<!-- INFO END -->

## 第一章 总则

第一条 为了保护在冷库里作业的职工，制定本规定。

第二条 本规定所称冷库，是指温度在零下十八摄氏度以下的仓储场所。

## 第二章 暖身休息

第三条 职工在冷库连续作业满两小时的，单位应当安排不少于二十分钟的暖身休息，并提供防寒服。
"""
QUESTION = "冷库里连续干满两小时，单位得安排暖身休息吗"
ARTICLE = f"《{LAW}》第三条"
BUILD = 60_000  # a publish reaches the index within seconds; generous for a loaded machine


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    laws = [FIXTURE_LAWS / "示例职工权益条例(2020-05-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    knowledge = make_knowledge_base(tmp_path_factory.mktemp("kb-journey"), laws, FIXTURE_CARDS)
    # A second version of one law, so its page has something to compare.
    import_statutes(knowledge.database, [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"], actor="boss")
    with staffed_site(knowledge.settings, Site) as site:
        yield site


def asked(browsing: Browsing, site: Site, question: str) -> Locator:
    """A fresh web chat (its own session), the question typed, the answer to it."""
    return ask(open_chat(browsing, site.url, viewport={"width": 420, "height": 860}), question)


def wait_for_build(page: Page, version: int) -> None:
    page.goto(page.url.split("?")[0])
    expect(page.locator("#kb-build")).to_contain_text(f"所有服务器都已在使用第 {version} 版", timeout=BUILD)


def published_number(page: Page) -> int:
    return int(re.search(r"第 (\d+) 版", page.locator(".admin-head .admin-sub").inner_text()).group(1))


def test_upload_preview_publish_answer_roll_back_and_the_answer_goes(
    browsing: Browsing, site: Site, tmp_path: Path
) -> None:
    statute = tmp_path / f"{LAW}(2025-03-01).md"
    statute.write_text(STATUTE, encoding="utf-8")
    before = asked(browsing, site, QUESTION)
    expect(before).not_to_contain_text(ARTICLE)

    admin = console_login(browsing, site.url, "boss", **VIEWPORTS["desk"])
    admin.get_by_role("navigation", name="工作台").get_by_role("link", name="知识库").click()
    admin.get_by_role("navigation", name="知识库").get_by_role("link", name="法规").click()
    expect(admin.get_by_role("heading", name="法规", exact=True)).to_be_visible()
    admin.get_by_label("法规文件（可多选）").set_input_files(str(statute))
    admin.get_by_role("button", name="解析并预览").click()
    expect(admin.get_by_role("heading", name="解析结果（还没有导入）")).to_be_visible()
    expect(admin.locator(".kb-article-count")).to_have_text("3 条")
    expect(admin.locator(".kb-preview")).to_contain_text("2 章：第一章 总则、第二章 暖身休息")
    expect(admin.locator(".kb-preview")).to_contain_text("编号连续，没有发现问题")
    screenshot(admin, "kb-journey-preview")
    admin.get_by_role("button", name="导入并发布").click()
    expect(admin.locator(".flash")).to_contain_text(f"已导入《{LAW}》（3 条），发布为第")
    expect(admin.get_by_role("link", name=LAW).first).to_be_visible()

    admin.get_by_role("navigation", name="知识库").get_by_role("link", name="版本").click()
    published = published_number(admin)
    wait_for_build(admin, published)
    screenshot(admin, "kb-journey-published")
    expect(asked(browsing, site, QUESTION)).to_contain_text(ARTICLE)

    row = admin.locator(f"#version-{published - 1}")
    row.get_by_role("button", name=f"回滚到第 {published - 1} 版").click()
    expect(admin.locator(".flash")).to_contain_text(f"已回滚到第 {published - 1} 版的内容（发布为第 {published + 1} 版）")
    wait_for_build(admin, published + 1)
    expect(admin.locator(f"#version-{published + 1}")).to_contain_text(re.compile(rf"法规删除\s*{LAW}"))
    screenshot(admin, "kb-journey-rolled-back")
    expect(asked(browsing, site, QUESTION)).not_to_contain_text(ARTICLE)
    admin.goto(f"{site.url}/console/kb/statutes")
    expect(admin.locator("table.listing")).not_to_contain_text(LAW)


def kb_pages() -> dict[str, tuple[str, str]]:
    """Page name → (address, a heading it shows)."""
    return {
        "statutes": ("/console/kb/statutes", "法规"),
        "law": ("/console/kb/statutes/示例职工权益条例", "示例职工权益条例"),
        "cards": ("/console/kb/cards", "卡片"),
        "card-new": ("/console/kb/cards/new?question=冷库里干活冻手怎么办&title=冷库防寒", "新建卡片"),
        "card": ("/console/kb/cards/annual-leave", "草稿怎么回答这些问法"),
        "policies": ("/console/kb/policies", "政策"),
        "policy-new": ("/console/kb/policies/new", "新建政策"),
        "stations": ("/console/kb/stations", "服务站"),
        "station-new": ("/console/kb/stations/new", "新建服务站"),
        "versions": ("/console/kb/versions", "草稿、发布与版本"),
    }


@pytest.mark.parametrize("viewport", ["phone", "desk"])
def test_every_kb_page_fits_the_screen_and_every_button_is_readable(
    browsing: Browsing, site: Site, viewport: str, tmp_path: Path
) -> None:
    problems: list[str] = []

    def look(page: Page, name: str) -> None:
        screenshot(page, f"kb-{name}-{viewport}")
        problems.extend(layout_problems(page, name))

    admin = console_login(browsing, site.url, "boss", **VIEWPORTS[viewport])
    for name, (path, heading) in kb_pages().items():
        admin.goto(f"{site.url}{path}")
        expect(admin.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        if name == "card":
            expect(admin.locator("#card-answers")).to_contain_text("由这张卡片回答")
        if name == "law":
            expect(admin.locator(".kb-diff")).to_be_visible()
        if name == "versions":
            expect(admin.locator("#kb-build")).to_contain_text("所有服务器都已在使用", timeout=BUILD)
        look(admin, name)

    # The card form's article picker fills a citation row, the text shown beside it; then the preview.
    admin.goto(f"{site.url}/console/kb/cards/new?title=调解不成怎么办")
    for number, text in enumerate(["调解没谈拢下一步怎么办", "调解失败了还能去哪里", "和单位调解不成怎么处理"]):
        admin.get_by_label("职工的问法（每行一种，至少 3 种，用职工自己的话）").press_sequentially(
            ("\n" if number else "") + text)
    admin.get_by_label("回答（20 到 400 字，用自己的话）").fill("调解不成的，可以向劳动争议仲裁委员会申请仲裁，工会可以帮你准备材料。")
    admin.get_by_label("主题").select_option("disputes")
    admin.get_by_label("条号或关键词").fill("仲裁")
    admin.locator("#article-search").get_by_role("button", name="查找").click()
    admin.get_by_role("button", name="引用这一条").first.click()
    expect(admin.locator("#citation-rows .kb-citation-text").first).to_contain_text("调解不成的，当事人可以申请仲裁")
    look(admin, "card-picked")
    admin.get_by_role("button", name="预览").click()
    expect(admin.locator("#preview")).to_contain_text("《示例劳动争议调解办法》第三条")
    look(admin, "card-preview")

    # A statute preview with numbering problems, and a station refused for its coordinates.
    broken = tmp_path / "示例编号错乱办法(2024-03-01).md"
    broken.write_text("# 示例编号错乱办法\n\n<!-- INFO END -->\n\n第一条 一。\n\n第三条 跳过了二。\n", encoding="utf-8")
    admin.goto(f"{site.url}/console/kb/statutes")
    admin.get_by_label("法规文件（可多选）").set_input_files(str(broken))
    admin.get_by_role("button", name="解析并预览").click()
    expect(admin.locator(".kb-problems")).to_contain_text("第 7 行")
    look(admin, "statute-problems")
    admin.goto(f"{site.url}/console/kb/stations/new")
    admin.get_by_label("纬度").fill("139.1")
    admin.get_by_role("button", name="添加到草稿").click()
    expect(admin.locator("#latitude-error")).to_contain_text("纬度是 -90 到 90 之间的数字")
    look(admin, "station-errors")
    assert not problems, "\n".join(problems)
