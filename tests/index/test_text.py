"""Normalisation: the colloquial forms workers type become the standard ones passages use."""

import pytest

from index.text import normalize
from index.tokenizer import Tokenizer


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("仨月没发工资咋整", "三个月没发工资怎么办"),
        ("俩人一起干", "两个人一起干"),
        ("啥时候发钱", "什么时候发钱"),
        ("俺们厂", "我们厂"),
        ("咱们单位", "我们单位"),
        ("社报断了", "社保断了"),
        ("附近哪儿有驿站", "附近哪里有驿站"),
        ("ＡＢＣ２Ｎ", "abc2n"),
    ],
)
def test_colloquial_words_become_standard_ones(typed: str, standard: str) -> None:
    assert normalize(typed) == standard


def test_counts_before_a_unit_are_written_as_statutes_write_them() -> None:
    assert normalize("干了3年，30天内，第3条") == "干了三年,三十天内,第三条"


def test_numbers_that_are_not_counts_stay() -> None:
    assert normalize("2008年入职，1.5倍工资，打12333，2n还是n+1") == "2008年入职,1.5倍工资,打12333,2n还是n+1"


def test_a_question_and_a_passage_meet_on_the_same_tokens() -> None:
    tokenizer = Tokenizer()
    assert "三个" in tokenizer.tokens("老板仨月没给钱") and "三个" in tokenizer.tokens("拖欠3个月工资")
