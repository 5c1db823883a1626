"""Talking to `/api/kb` as an admin's tool would: bearer tokens, a card only it answers, waiting for a
server to answer from a newly published version."""

import time
from collections.abc import Callable

import httpx

# Cites the fixture mediation rules, which no fixture card does: only this card answers the question.
ARBITRATION_CARD = {
    "title": "调解不成可以申请仲裁",
    "topic": "disputes",
    "questions": ["调解没谈拢下一步怎么办", "调解失败了还能去哪里", "和单位调解不成怎么处理"],
    "answer": "按示例调解办法，调解不成的，你可以向劳动争议仲裁委员会申请仲裁，工会可以帮你准备材料。",
    "citations": [["示例劳动争议调解办法", 3]],
    "tags": ["调解不成", "仲裁"],
    "action": "mediation",
}
ARBITRATION_QUESTION = "和单位调解不成怎么处理"


def answered_card(url: str, question: str) -> str | None:
    response = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["card_id"]


def wait_until(condition: Callable[[], bool], timeout: float = 120.0, every: float = 0.2) -> float:
    """Seconds until the condition held; fails the test after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not reached within {timeout} s")
        time.sleep(every)
    return time.monotonic() - started
