"""The three kinds of item admins edit — guidance cards, union policies, service stations — and the checks
an item passes before it is stored, so the draft never holds what the index could not be built from."""

import re
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from knowledge.cards import Card
from knowledge.policies import PolicyError, PolicySection, parse_policy
from knowledge.stations import Station

ItemData = dict[str, Any]
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
POLICY_TITLE_MAX = 100


class ItemKind(StrEnum):
    CARD = "card"
    POLICY = "policy"
    STATION = "station"


class InvalidItem(ValueError):
    """What is wrong, as FastAPI-style error entries: {"loc": [field, ...], "msg", "type"}."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise InvalidItem(
            [{"loc": ["id"], "msg": "小写字母、数字和连字符，以字母或数字开头，最多 80 个字符", "type": "id"}]
        )
    return key


def normalized(kind: ItemKind, key: str, data: ItemData) -> ItemData:
    """The item as stored: validated by the model the index is built from, in one canonical form."""
    if kind is ItemKind.POLICY:
        return _policy(key, data)
    model = Card if kind is ItemKind.CARD else Station
    try:
        item = model.model_validate({**data, "id": key})
    except ValidationError as error:
        raise InvalidItem(
            [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        ) from None
    stored = item.model_dump(mode="json", exclude={"id"})
    if kind is ItemKind.CARD:
        stored["citations"] = [[c["law"], c["article"]] for c in stored["citations"]]
    return stored


def _policy(key: str, data: ItemData) -> ItemData:
    title = str(data.get("title") or "").strip()
    body = str(data.get("body") or "").strip()
    if not title or len(title) > POLICY_TITLE_MAX or "\n" in title:
        raise InvalidItem([{"loc": ["title"], "msg": f"标题必填，一行，最多 {POLICY_TITLE_MAX} 字", "type": "title"}])
    stored = {"title": title, "body": body}
    try:
        policy_sections(key, stored)
    except PolicyError:
        raise InvalidItem([{"loc": ["body"], "msg": "正文没有内容", "type": "body"}]) from None
    return stored


def card(key: str, data: ItemData) -> Card:
    return Card.model_validate({**data, "id": key})


def station(key: str, data: ItemData) -> Station:
    return Station.model_validate({**data, "id": key})


def policy_sections(key: str, data: ItemData) -> list[PolicySection]:
    return parse_policy(key, f"# {data['title']}\n\n{data['body']}", key)


def policy_item(text: str) -> ItemData:
    """A Markdown policy document as an item: its `# ` line is the title, the rest the body."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if first is None:
        return {"title": "", "body": text.strip()}
    return {"title": lines[first][2:].strip(), "body": "\n".join(lines[first + 1 :]).strip()}


def title_of(kind: ItemKind, data: ItemData) -> str:
    return str(data.get("name") if kind is ItemKind.STATION else data.get("title"))
