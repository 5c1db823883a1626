"""Parsing statute files: metadata, numbering, structure, and clear errors for broken files."""

from datetime import date
from pathlib import Path

import pytest

from knowledge.statutes import StatuteFormatError, parse_statute
from support.knowledge import FIXTURE_LAWS

SAMPLE = FIXTURE_LAWS / "示例职工权益条例(2020-05-01).md"


def test_markdown_statute_becomes_one_record_per_article() -> None:
    statute = parse_statute(SAMPLE)
    assert statute.title == "示例职工权益条例"
    assert statute.short_title == "示例职工权益条例"
    assert statute.version_date == date(2020, 5, 1)
    assert [(a.number, a.sub) for a in statute.articles] == [(1, 0), (2, 0), (3, 0), (3, 1), (4, 0), (5, 0), (6, 0)]


def test_articles_keep_paragraphs_chapters_and_sections() -> None:
    articles = {a.label: a for a in parse_statute(SAMPLE).articles}
    third = articles["第三条"]
    assert len(third.paragraphs) == 2 and third.paragraphs[1].startswith("工资发放日")
    assert third.chapter == "第一章 总则" and third.section is None
    assert articles["第三条之一"].sub == 1
    assert articles["第五条"].chapter == "第二章 休息休假"
    assert articles["第五条"].section == "第二节 加班"


def test_plain_text_with_full_width_spaces_and_date_in_header() -> None:
    statute = parse_statute(FIXTURE_LAWS / "示例调解办法.txt")
    assert statute.short_title == "示例劳动争议调解办法"
    assert statute.version_date == date(2019, 3, 8)
    assert [a.number for a in statute.articles] == [1, 2, 3]
    assert statute.articles[1].paragraphs == ["调解员应当在受理后十五日内组织双方协商。"]


def test_state_prefix_is_dropped_from_short_title(tmp_path: Path) -> None:
    path = tmp_path / "law.md"
    path.write_text("# 中华人民共和国示例法\n\n第一条 内容。\n", encoding="utf-8")
    statute = parse_statute(path, version_date=date(2021, 1, 1))
    assert (statute.title, statute.short_title) == ("中华人民共和国示例法", "示例法")


def test_docx_statute(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("示例文档条例", level=0)
    document.add_paragraph("第一章 总则")
    document.add_paragraph("第一条 这是第一条。")
    document.add_paragraph("第二条 这是第二条。")
    document.add_paragraph("第二条的第二款。")
    path = tmp_path / "示例文档条例(2023-02-03).docx"
    document.save(path)
    statute = parse_statute(path)
    assert statute.title == "示例文档条例"
    assert statute.version_date == date(2023, 2, 3)
    assert statute.articles[1].paragraphs == ["这是第二条。", "第二条的第二款。"]
    assert statute.articles[0].chapter == "第一章 总则"


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("# 示例法\n\n第一条 一。\n\n第三条 三。\n", 5, "out of order"),
        ("# 示例法\n\n第一条 一。\n第一条 重复。\n", 4, "out of order"),
        ("# 示例法\n\n第一条\n\n第二条 二。\n", 3, "has no text"),
        ("# 示例法\n\n只有一段说明文字。\n", None, "no articles"),
    ],
)
def test_broken_files_name_file_and_line(tmp_path: Path, content: str, line: int | None, message: str) -> None:
    path = tmp_path / "示例法(2020-01-01).md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(StatuteFormatError, match=message) as raised:
        parse_statute(path)
    assert raised.value.path == str(path)
    assert raised.value.line == line


def test_not_utf8_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "示例法(2020-01-01).md"
    path.write_bytes("# 示例法\n\n第一条 一。\n".encode("utf-8") + "第二条 二。\n".encode("gbk"))
    with pytest.raises(StatuteFormatError, match="UTF-8") as raised:
        parse_statute(path)
    assert raised.value.line == 4


def test_missing_version_date_says_how_to_give_one(tmp_path: Path) -> None:
    path = tmp_path / "law.md"
    path.write_text("# 示例法\n\n第一条 一。\n", encoding="utf-8")
    with pytest.raises(StatuteFormatError, match="version-date"):
        parse_statute(path)


def test_unsupported_type(tmp_path: Path) -> None:
    path = tmp_path / "law.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(StatuteFormatError, match="unsupported"):
        parse_statute(path)


def test_whole_official_corpus_parses(laws_dir: Path) -> None:
    """Counts as stated in the corpus's SOURCES.md: every file numbers 1..N without gaps."""
    total = 0
    for path in sorted(laws_dir.glob("*(*).md")):
        statute = parse_statute(path)
        assert [a.number for a in statute.articles] == list(range(1, len(statute.articles) + 1)), path.name
        total += len(statute.articles)
    assert total == 1606
    contract_law = parse_statute(laws_dir / "劳动合同法(2012-12-28).md")
    assert contract_law.short_title == "劳动合同法" and len(contract_law.articles) == 98
    labour_law = parse_statute(laws_dir / "劳动法(2018-12-29).md")
    assert labour_law.articles[-1].label == "第一百零七条" and labour_law.articles[-1].number == 107
