"""The article page chat replies link to, over a real server with the fixture knowledge base."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from api.app import create_app
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import free_port, serving


@pytest.fixture(scope="module")
def base_url(fixture_kb, tmp_path_factory) -> Iterator[str]:
    """Served with PUBLIC_BASE_URL set to its own address, so chat replies link to these pages."""
    port = free_port()
    settings = make_settings(
        fixture_kb.private_data_dir(),
        cards_dir=FIXTURE_CARDS,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('laws') / 'app.sqlite3'}",
        public_base_url=f"http://127.0.0.1:{port}",
    )
    with serving(create_app(settings), port) as url:
        yield url


def get(base_url: str, path: str) -> httpx.Response:
    return httpx.get(base_url + path, timeout=10)


def test_article_page_shows_the_whole_article_where_it_sits_and_its_version(base_url: str) -> None:
    page = get(base_url, f"/laws/{quote('示例职工权益条例')}/4")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<title>《示例职工权益条例》第四条 · 工会小助手</title>" in html
    assert '<h1 id="article-title">《示例职工权益条例》第四条</h1>' in html
    assert "<dd>第一章 总则</dd>" in html
    assert "<dd>2022年1月1日</dd>" in html
    assert "<p>职工连续工作满一年的，每年享有带薪休假七天。</p>" in html
    assert '<a rel="prev" href="3">← 《示例职工权益条例》第三条</a>' in html
    assert '<a rel="next" href="5">《示例职工权益条例》第五条 →</a>' in html
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_first_and_last_articles_link_only_to_existing_neighbours(base_url: str) -> None:
    first = get(base_url, "/laws/示例职工权益条例/1").text
    assert 'rel="prev"' not in first and 'rel="next" href="2"' in first
    last = get(base_url, "/laws/示例职工权益条例/5").text
    assert 'rel="prev" href="4"' in last and 'rel="next"' not in last


def test_article_of_a_law_without_chapters(base_url: str) -> None:
    html = get(base_url, "/laws/示例劳动争议调解办法/2").text
    assert "调解员应当在受理后十五日内组织双方协商。" in html
    assert "<dt>章节</dt>" not in html and "<dd>2019年3月8日</dd>" in html


@pytest.mark.parametrize(
    "path",
    [
        "/laws/示例职工权益条例/99",  # cited by a card, text not imported
        "/laws/示例职工权益条例/4-1",
        "/laws/示例职工权益条例/0",
        "/laws/示例职工权益条例/第四条",
        "/laws/没有这部法/1",
    ],
)
def test_unknown_articles_get_the_chinese_404_page(base_url: str, path: str) -> None:
    page = get(base_url, path)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1 id=\"not-found-title\">没有找到这一条</h1>" in page.text
    assert '<a class="back" href="/chat">回到在线咨询</a>' in page.text


def test_the_404_page_shows_markup_in_the_address_as_text(base_url: str) -> None:
    page = get(base_url, f"/laws/{quote('<img src=x onerror=alert(1)>')}/{quote('<b>1')}")
    assert page.status_code == 404
    assert "<img src=x" not in page.text and "<b>1" not in page.text
    assert "《&lt;img src=x onerror=alert(1)&gt;》第 &lt;b&gt;1 条" in page.text


def test_full_text_reply_links_to_the_article_page(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as chat:
        chat.post("/api/chat", json={"text": "干满一年有没有年假"})
        [reply] = chat.post("/api/chat", json={"text": "原文1"}).json()["replies"]
    assert reply["link"] == f"{base_url}/laws/{quote('示例职工权益条例')}/4"
    assert reply["link_label"] == "查看条文"
    page = httpx.get(reply["link"], timeout=10)
    assert page.status_code == 200 and "职工连续工作满一年的" in page.text


def test_without_an_index_the_page_says_so_with_503(tmp_path: Path) -> None:
    with serving(create_app(make_settings(tmp_path))) as url:
        page = get(url, "/laws/示例职工权益条例/4")
    assert page.status_code == 503 and "条文暂时无法查看" in page.text
