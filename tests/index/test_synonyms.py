from pathlib import Path

import pytest

from index.synonyms import SynonymError, SynonymMap


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_colloquial_phrases_add_statutory_terms(tmp_path: Path) -> None:
    synonyms = SynonymMap.load(write(tmp_path, "解除 劳动合同: [炒鱿鱼, 辞退]\n劳动报酬: [工钱]\n"))
    assert synonyms.expand("我被老板炒鱿鱼了，工钱也没给") == ["解除", "劳动合同", "劳动报酬"]
    assert synonyms.expand("公司今天开会") == []
    assert synonyms.terms == {"解除", "劳动合同", "劳动报酬"}


def test_matching_ignores_width_and_case(tmp_path: Path) -> None:
    synonyms = SynonymMap.load(write(tmp_path, "赔偿金: [2N]\n"))
    assert synonyms.expand("能要２n吗") == ["赔偿金"]


def test_malformed_map_is_rejected_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(SynonymError, match="synonyms.yaml"):
        SynonymMap.load(write(tmp_path, "劳动报酬: 工钱\n"))


def test_bundled_map_loads_and_expands_common_slang() -> None:
    synonyms = SynonymMap.load()
    assert len(synonyms.rules) >= 100
    assert synonyms.expand("我被炒鱿鱼了")
    assert "年休假" in "".join(synonyms.expand("年假怎么休"))


def test_a_plus_pattern_needs_every_part_in_any_order(tmp_path: Path) -> None:
    synonyms = SynonymMap.load(write(tmp_path, "被迫 解除: [没交社保+辞职]\n"))
    assert synonyms.expand("我想辞职，因为公司一直没交社保") == ["被迫", "解除"]
    assert synonyms.expand("公司没交社保") == []


def test_a_plus_pattern_with_an_empty_part_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SynonymError, match=r"\+"):
        SynonymMap.load(write(tmp_path, "被迫 解除: [没交社保+]\n"))
