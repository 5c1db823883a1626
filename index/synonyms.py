"""Colloquial → statutory query expansion (欠薪 → 劳动报酬, 炒鱿鱼 → 解除劳动合同 …)."""

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from index.text import normalize

SYNONYMS = Path(__file__).parent / "data" / "synonyms.yaml"


class SynonymError(ValueError):
    pass


ALL_OF = "+"


@dataclass(frozen=True)
class SynonymMap:
    """Patterns are matched as substrings, so they work whatever the segmenter does with slang.

    A pattern written `没交社保+辞职` matches when every part occurs, in any order: a concept a question
    spreads over two clauses (resigning because the employer did not pay social insurance).
    """

    rules: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def load(cls, path: Path = SYNONYMS) -> "SynonymMap":
        if not path.is_file():
            return cls(())
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise SynonymError(f"{path}: expected a mapping of statutory terms to lists of variants")
        rules: list[tuple[str, tuple[str, ...]]] = []
        for terms, variants in data.items():
            if not isinstance(variants, list) or not all(isinstance(v, str) and v for v in variants):
                raise SynonymError(f"{path}: {terms}: variants must be a list of strings")
            expansion = tuple(normalize(str(terms)).split())
            rules.extend((normalize(variant), expansion) for variant in variants)
        if any(not part for pattern, _terms in rules for part in pattern.split(ALL_OF)):
            raise SynonymError(f"{path}: a `+` pattern needs text on both sides of every `+`")
        return cls(tuple(sorted(rules, key=lambda rule: -len(rule[0]))))

    @property
    def terms(self) -> frozenset[str]:
        """Every statutory term an expansion can yield."""
        return frozenset(term for _pattern, terms in self.rules for term in terms)

    @cached_property
    def _parts(self) -> tuple[tuple[str, ...] | None, ...]:
        """The parts of each all-of pattern, split once; None for a plain pattern (one substring test)."""
        return tuple(tuple(pattern.split(ALL_OF)) if ALL_OF in pattern else None for pattern, _terms in self.rules)

    @cached_property
    def _by_first_char(self) -> dict[str, list[int]]:
        """Rule positions by their pattern's first character: a question meets only rules that can match."""
        index: dict[str, list[int]] = {}
        for position, (pattern, _terms) in enumerate(self.rules):
            index.setdefault(pattern[:1], []).append(position)
        return index

    def expand(self, text: str) -> list[str]:
        """Statutory terms implied by the text, each once, in rule order."""
        text = normalize(text)
        starts = self._by_first_char
        candidates = sorted({position for char in set(text) for position in starts.get(char, ())})
        found: dict[str, None] = {}
        all_of = self._parts
        for position in candidates:
            pattern, terms = self.rules[position]
            parts = all_of[position]
            if (pattern in text) if parts is None else all(part in text for part in parts):
                found.update(dict.fromkeys(terms))
        return list(found)
