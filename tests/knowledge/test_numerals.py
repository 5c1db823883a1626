import pytest

from knowledge.numerals import parse_numeral, to_chinese


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("一百", 100), ("一百零八", 108), ("一百一十", 110),
     ("两千零五", 2005), ("108", 108), ("１２", 12)],
)
def test_parses_article_numbers(text: str, value: int) -> None:
    assert parse_numeral(text) == value


@pytest.mark.parametrize("text", ["", "条", "一二", "十x"])
def test_rejects_what_is_not_a_numeral(text: str) -> None:
    with pytest.raises(ValueError):
        parse_numeral(text)


def test_round_trips_every_article_number_in_use() -> None:
    for number in range(1, 400):
        assert parse_numeral(to_chinese(number)) == number
    assert to_chinese(108) == "一百零八"
    assert to_chinese(10) == "十"
    assert to_chinese(30) == "三十"
