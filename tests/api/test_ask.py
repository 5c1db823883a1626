"""`POST /api/ask` and `GET /healthz` over a real HTTP server."""

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from support.knowledge import make_settings
from support.server import serving


@pytest.fixture(scope="module")
def base_url(fixture_kb):
    with serving(create_app(fixture_kb.settings)) as url:
        yield url


def test_ask_returns_answer_citations_and_next_step(base_url: str) -> None:
    response = httpx.post(f"{base_url}/api/ask", json={"question": "干满一年有没有年假"}, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["card_id"] == "annual-leave" and body["confident"] is True
    assert body["citations"][0]["label"] == "《示例职工权益条例》第四条"
    assert "七天" in body["citations"][0]["quote"]
    assert body["next_step"] is None
    assert "【法律依据】" in body["message"]
    assert body["passages"][0]["kind"] == "card"


@pytest.mark.parametrize("payload", [{}, {"question": ""}, {"question": "长" * 1001}, {"q": "x"}])
def test_invalid_questions_are_rejected(base_url: str, payload: dict) -> None:
    assert httpx.post(f"{base_url}/api/ask", json=payload, timeout=10).status_code == 422


def test_health_reports_index_and_dense_channel(base_url: str, fixture_kb) -> None:
    body = httpx.get(f"{base_url}/healthz", timeout=10).json()
    assert body["status"] == "ok"
    assert body["index_version"] == fixture_kb.store.current_version()
    assert body["passages"]["article"] == 8 and body["passages"]["card"] == 2
    assert body["dense"] == {"enabled": False, "state": "off", "model": None, "reason": "EMBEDDING_MODEL is not set"}


def test_without_an_index_ask_is_unavailable_but_health_answers(tmp_path: Path) -> None:
    with serving(create_app(make_settings(tmp_path))) as url:
        assert httpx.get(f"{url}/healthz", timeout=10).json()["status"] == "no index"
        response = httpx.post(f"{url}/api/ask", json={"question": "年假"}, timeout=10)
        assert response.status_code == 503 and "index build" in response.json()["detail"]
