"""The web chat's page and JSON API over a real server on loopback, with the fixture knowledge base."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from bot.channels.web import WebSender
from core.messages import Button, Reply
from core.consultations import Consultation
from core.feedback import Feedback, feedback_summary
from core.gaps import gaps
from support.console import Site, serve_site
from support.knowledge import make_settings
from support.server import serving

COOKIE = "chat_session"
CITATION = "《示例职工权益条例》第四条"
JSON = {"content-type": "application/json"}
RATE_HELPFUL = {"label": "有用", "payload": "有用"}
RATE_UNHELPFUL = {"label": "没用", "payload": "没用"}


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "webchat", staff=()) as site:
        yield site


@pytest.fixture
def visitor(site: Site) -> Iterator[httpx.Client]:
    with site.client() as client:
        client.get("/chat")
        yield client


def say(client: httpx.Client, **message: object) -> dict:
    response = client.post("/api/chat", json=message)
    assert response.status_code == 200, response.text
    return response.json()


def texts(body: dict) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def consultations(site: Site) -> int:
    with site.services.database.session() as session:
        return session.scalar(select(func.count()).select_from(Consultation))


def test_first_visit_sets_an_httponly_lax_session_cookie_once(site: Site) -> None:
    with site.client() as client:
        first = client.get("/chat")
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
        cookie = first.headers["set-cookie"]
        assert re.match(rf"{COOKIE}=[A-Za-z0-9_-]{{32}};", cookie)
        assert {"HttpOnly", "Path=/", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}
        assert "Secure" not in cookie  # plain http on loopback; https requests get Secure
        assert "set-cookie" not in client.get("/chat").headers


def test_page_has_labelled_controls_menu_and_no_inline_script(site: Site) -> None:
    page = httpx.get(f"{site.url}/chat", timeout=10)
    html = page.text
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    assert '<label for="message"' in html and 'id="message"' in html
    assert 'type="submit" class="send">发送</button>' in html
    assert 'aria-label="分享我的位置，查找附近的服务站"' in html
    config = json.loads(re.search(r'<script [^>]*id="chat-config">(.*?)</script>', html)[1])
    assert config["endpoints"] == {"send": "/api/chat", "updates": "/api/chat/updates"}
    assert [item["label"] for item in config["menu"]] == ["法律咨询", "维权求助", "服务站点", "活动报名", "入会"]
    assert config["welcome"]["text"].startswith("你好！我是工会的法律和服务小助手")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []
    for asset in ("/static/app.css", "/static/chat.js"):
        assert httpx.get(site.url + asset, timeout=10).status_code == 200


def test_question_gets_the_answer_with_its_citation(visitor: httpx.Client) -> None:
    body = say(visitor, text="干满一年有没有年假")
    [reply] = body["replies"]
    assert reply["text"].startswith("按示例条例，连续工作满一年的职工每年有带薪休假")
    assert f"1. {CITATION}：“职工连续工作满一年的" in reply["text"]
    assert reply["buttons"] == [RATE_HELPFUL, RATE_UNHELPFUL] and reply["link"] is None, "only 有用 / 没用"
    assert body["last_id"] == 0


def test_an_engine_failure_is_an_apology_not_an_error(tmp_path: Path) -> None:
    """Without a built index every question fails in the engine: the worker reads an apology, and the next
    message is handled as usual."""
    with serving(create_app(make_settings(tmp_path))) as url, httpx.Client(base_url=url, timeout=10) as client:
        client.get("/chat")
        [apology] = say(client, text="干满一年有没有年假")["replies"]
        assert apology["text"].startswith("抱歉，小助手刚才出了点小问题，没能回答你。")
        assert "维权求助" in apology["text"] and apology["buttons"] == []
        assert texts(say(client, text="你好")).startswith("你好")


def test_the_full_text_links_to_the_article_page_on_this_site(visitor: httpx.Client) -> None:
    say(visitor, text="干满一年有没有年假")
    [reply] = say(visitor, text="原文1")["replies"]
    assert reply["text"].startswith(CITATION)
    assert (reply["link"], reply["link_label"]) == (f"/laws/{quote('示例职工权益条例')}/4", "查看条文")
    article = visitor.get(reply["link"])
    assert article.status_code == 200 and "职工连续工作满一年的，每年享有带薪休假七天。" in article.text


def test_follow_up_buttons_carry_payloads_and_numbers_pick_them(site: Site) -> None:
    """Pressing a button sends its payload; typing its number does the same."""
    with site.client() as pressing, site.client() as numbering:
        [reply] = say(pressing, text="单位拖着不发工资怎么办")["replies"]
        assert reply["buttons"] == [{"label": "找调解员", "payload": "维权求助"}, RATE_HELPFUL, RATE_UNHELPFUL]
        pressed = texts(say(pressing, text=reply["buttons"][0]["payload"]))
        say(numbering, text="单位拖着不发工资怎么办")
        assert texts(say(numbering, text="1")) == pressed


def test_menu_and_shared_location(visitor: httpx.Client) -> None:
    assert "告诉我你在哪一带" in texts(say(visitor, menu="STATIONS"))
    listed = texts(say(visitor, latitude=39.0352, longitude=117.7905))
    assert listed.startswith("离你最近的服务站")
    assert "1. 东疆职工服务中心（示例）" in listed and "电话：" in listed


def test_a_session_starts_on_the_first_post_and_keeps_its_conversation(site: Site) -> None:
    with site.client() as client, site.client() as reference:
        first = client.post("/api/chat", json={"text": "单位拖着不发工资怎么办"})
        assert first.status_code == 200 and f"{COOKIE}=" in first.headers["set-cookie"]
        second = client.post("/api/chat", json={"text": "1"})
        assert "set-cookie" not in second.headers
        assert texts(second.json()) == texts(say(reference, text="维权求助"))


def test_sessions_do_not_share_conversations(site: Site) -> None:
    with site.client() as one, site.client() as other, site.client() as reference:
        say(one, text="单位拖着不发工资怎么办")
        assert texts(say(other, text="1")) != texts(say(reference, text="维权求助"))


def test_a_forged_cookie_is_replaced_by_a_new_session(site: Site) -> None:
    with site.client() as client:
        client.cookies.set(COOKIE, "../../not-ours")
        response = client.post("/api/chat", json={"text": "你好"})
        assert response.status_code == 200
        assert re.match(rf"{COOKIE}=[A-Za-z0-9_-]{{32}};", response.headers["set-cookie"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "   "},
        {"text": "长" * 1001},
        {"text": 5},
        {"latitude": 39.1},
        {"latitude": 91, "longitude": 117.0},
        {"latitude": 39.1, "longitude": -180.5},
        {"latitude": "north", "longitude": 117.0},
        {"text": "年假", "latitude": 39.1, "longitude": 117.0},
        {"menu": "ADMIN"},
        {"text": "年假", "session": "someone-else"},
    ],
)
def test_invalid_messages_are_422_and_reach_nothing(visitor: httpx.Client, site: Site, body: dict) -> None:
    before = consultations(site)
    response = visitor.post("/api/chat", json=body)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert problems and all(p["loc"][0] == "body" and "input" not in p for p in problems)
    assert consultations(site) == before


@pytest.mark.parametrize(
    "raw",
    [b'{"latitude": NaN, "longitude": 117}', b'{"latitude": 1e999, "longitude": 1}', b'{"text": "hi"', b"[]", b""],
)
def test_unreadable_json_is_422_not_a_crash(visitor: httpx.Client, raw: bytes) -> None:
    response = visitor.post("/api/chat", content=raw, headers=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] in {"finite_number", "json_invalid", "chat_kind"}


def test_bodies_over_16_kib_are_413_whether_declared_or_streamed(visitor: httpx.Client, site: Site) -> None:
    before = consultations(site)
    big = json.dumps({"text": "长" * 6000}).encode()  # 18 KB of UTF-8
    declared = visitor.post("/api/chat", content=big, headers=JSON)
    assert declared.status_code == 413
    streamed = visitor.post("/api/chat", content=iter([big[:9000], big[9000:]]), headers=JSON)
    assert streamed.status_code == 413
    assert consultations(site) == before
    assert say(visitor, text="你好")["replies"]  # and the server still answers


def test_only_json_is_accepted(visitor: httpx.Client) -> None:
    form = visitor.post("/api/chat", data={"text": "年假"})
    assert form.status_code == 415
    plain = visitor.post(
        "/api/chat", content=json.dumps({"text": "年假"}), headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 415


def session_of(client: httpx.Client) -> str:
    return client.cookies[COOKIE]


def test_outbox_messages_reach_only_their_session(site: Site) -> None:
    sender = WebSender(site.services.database)
    with site.client() as worker, site.client() as stranger:
        worker.get("/chat")
        stranger.get("/chat")
        assert worker.get("/api/chat/updates").json() == {"messages": [], "last_id": 0}
        reply = Reply("调解员已经收到你的求助，会在两个工作日内联系你。", (Button("好的", "谢谢"),), "/laws/示例职工权益条例/3")
        sender.send(session_of(worker), reply)

        updates = worker.get("/api/chat/updates", params={"after": 0})
        assert updates.headers["cache-control"] == "no-store"
        [message] = updates.json()["messages"]
        assert message["text"] == reply.text
        assert message["buttons"] == [{"label": "好的", "payload": "谢谢"}]
        assert message["link"] == "/laws/示例职工权益条例/3"
        assert updates.json()["last_id"] == message["id"]
        assert worker.get("/api/chat/updates", params={"after": message["id"]}).json()["messages"] == []
        assert say(worker, text="你好")["last_id"] == message["id"]

        assert stranger.get("/api/chat/updates", params={"after": 0}).json()["messages"] == []
        assert say(stranger, text="你好")["last_id"] == 0
    anonymous = httpx.get(f"{site.url}/api/chat/updates", params={"after": 0}, timeout=10)
    assert anonymous.json() == {"messages": [], "last_id": 0} and "set-cookie" not in anonymous.headers


def test_outbox_pages_in_order(site: Site, visitor: httpx.Client) -> None:
    sender = WebSender(site.services.database)
    for number in range(3):
        sender.send(session_of(visitor), Reply(f"第{number + 1}条通知"))
    first = visitor.get("/api/chat/updates", params={"after": 0}).json()
    assert [m["text"] for m in first["messages"]] == ["第1条通知", "第2条通知", "第3条通知"]
    ids = [m["id"] for m in first["messages"]]
    assert ids == sorted(ids)
    later = visitor.get("/api/chat/updates", params={"after": ids[0]}).json()
    assert [m["id"] for m in later["messages"]] == ids[1:]


@pytest.mark.parametrize("after", ["-1", "x", str(2**63)])
def test_bad_cursors_are_422(visitor: httpx.Client, after: str) -> None:
    assert visitor.get("/api/chat/updates", params={"after": after}).status_code == 422



def feedback_of(site: Site) -> list[tuple[str, str | None, bool]]:
    """(question, card, helpful) of every rated consultation, oldest first."""
    with site.services.database.session() as session:
        rows = session.execute(
            select(Consultation.question, Consultation.card_id, Feedback.helpful)
            .join(Feedback, Feedback.consultation_id == Consultation.id)
            .order_by(Consultation.id)
        )
        return [tuple(row) for row in rows]


def test_feedback_on_an_answer_is_thanked_and_counted_on_its_card(site: Site) -> None:
    before = feedback_of(site)
    with site.client() as client:
        say(client, text="干满一年有没有年假")
        body = say(client, text=RATE_HELPFUL["payload"])
        assert texts(body).startswith("谢谢你的反馈！很高兴能帮上忙")
        assert body["replies"][0]["buttons"] == [], "the thanks asks nothing further"
        say(client, text="单位拖着不发工资怎么办")
        assert texts(say(client, text="没用！")).startswith("谢谢你告诉我们"), "typed, with punctuation"
    rated = feedback_of(site)[len(before):]
    assert rated == [("干满一年有没有年假", "annual-leave", True), ("单位拖着不发工资怎么办", "overdue-pay", False)]
    with site.services.database.session() as session:
        assert "单位拖着不发工资怎么办" in [gap.question for gap in gaps(session)], "没用 feeds the gaps"
        assert feedback_summary(session).cards[0].card_id == "overdue-pay", "most unhelpful first"


def test_feedback_without_an_answer_to_rate_is_an_ordinary_message(site: Site) -> None:
    before = feedback_of(site)
    with site.client() as client, site.client() as reference:
        assert texts(say(client, text="没用")) == texts(say(reference, text="没用")), "what the engine says"
        say(client, text="维权求助")  # a form, not an answer: nothing asks for feedback
        assert all(RATE_HELPFUL not in reply["buttons"] for reply in say(client, text="张三")["replies"])
    assert feedback_of(site) == before


def test_an_answer_that_could_not_answer_asks_no_feedback(site: Site) -> None:
    """It is a gap already; 有用 / 没用 under an apology would only puzzle the worker."""
    with site.client() as client:
        [reply] = say(client, text="食堂的菜太咸了找谁反映")["replies"]
        assert reply["text"].startswith("抱歉，这个问题我暂时回答不了") and reply["buttons"] == []
