"""Normalisation: the colloquial forms workers type become the standard ones passages use."""

import pytest

from index.synonyms import SynonymMap
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
        ("啥子时候", "什么时候"),
        ("莫得合同", "没有合同"),
        ("生娃能休多久", "生孩子能休多久"),
        ("东家不给钱", "老板不给钱"),
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


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("老板把我们仨都给开了", "老板把我开了"),
        ("把他开掉", "把我开了"),
        ("把人炒掉了", "把我炒了"),
        ("被老板直接炒了", "被炒了"),
        ("被公司裁了", "被裁了"),
        ("厂里辞了我们", "厂里辞了我"),
    ],
)
def test_every_shape_of_being_let_go_is_folded_into_one(typed: str, folded: str) -> None:
    assert normalize(typed) == folded


@pytest.mark.parametrize("text", ["开了会", "炒了股票", "把合同开了", "把工资扣了", "被单位开除了"])
def test_other_uses_of_the_same_verbs_stay(text: str) -> None:
    assert normalize(text) == text


def test_a_worker_let_go_with_workmates_meets_the_dismissal_terms() -> None:
    synonyms = SynonymMap.load()
    alone, together = synonyms.expand("老板把我开了"), synonyms.expand("老板把我们几个都给开了")
    assert "解除" in alone and set(alone) <= set(together)


def test_sentence_final_particles_are_not_search_terms() -> None:
    assert Tokenizer().tokens("辞职了呗，还能咋样啦") == Tokenizer().tokens("辞职了，还能咋样")
