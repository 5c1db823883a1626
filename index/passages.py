"""The retrievable unit: an article, a guidance card, a policy section or a service station."""

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from knowledge.numerals import to_chinese


class Kind(StrEnum):
    ARTICLE = "article"
    CARD = "card"
    POLICY = "policy"
    STATION = "station"


@dataclass(frozen=True)
class Passage:
    id: str
    kind: Kind
    title: str
    text: str
    search_text: str
    meta: dict[str, Any] = field(default_factory=dict)


def article_id(law: str, number: int, sub: int = 0) -> str:
    return f"article:{law}:{number}" + (f"-{sub}" if sub else "")


def citation_label(law: str, number: int, sub: int = 0) -> str:
    """《劳动合同法》第三十条 — how a citation is written whether or not its text is imported."""
    suffix = f"之{to_chinese(sub)}" if sub else ""
    return f"《{law}》第{to_chinese(number)}条{suffix}"


def write_passages(passages: list[Passage], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for passage in passages:
            out.write(json.dumps(asdict(passage), ensure_ascii=False) + "\n")


def read_passages(path: Path) -> list[Passage]:
    with path.open(encoding="utf-8") as source:
        rows = [json.loads(line) for line in source if line.strip()]
    return [Passage(**{**row, "kind": Kind(row["kind"])}) for row in rows]
