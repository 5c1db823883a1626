from decimal import Decimal

from core.wording import render, shorten, yuan


def test_short_text_is_kept_whole() -> None:
    assert shorten("第一句。", 10) == "第一句。"


def test_cut_at_the_last_sentence_end_in_reach() -> None:
    assert shorten("第一句话说完了。第二句话还很长很长很长", 12) == "第一句话说完了。……"


def test_cut_mid_sentence_when_no_sentence_end_is_near() -> None:
    assert shorten("一二三四五六七八九十，十一十二", 10) == "一二三四五六七八九十……"


def test_templates_fail_loudly_on_missing_values() -> None:
    import jinja2
    import pytest

    with pytest.raises(jinja2.UndefinedError):
        render("uncertain.j2")


def test_money_reads_as_whole_yuan_where_it_is() -> None:
    assert [yuan(Decimal(v)) for v in ("8000", "8000.00", "12000.5", "0.75")] == ["8,000", "8,000", "12,000.50", "0.75"]
