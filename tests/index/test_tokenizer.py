from pathlib import Path

from index.tokenizer import Tokenizer


def test_drops_stop_words_punctuation_and_bare_numbers() -> None:
    tokens = Tokenizer().tokens("请问，老板拖欠工资3个月怎么办？")
    assert "请问" not in tokens and "怎么办" not in tokens and "3" not in tokens
    assert "工资" in tokens and "拖欠" in tokens


def test_full_width_and_case_are_folded() -> None:
    assert Tokenizer().tokens("ＡＢＣ公司") == Tokenizer().tokens("abc公司")


def test_user_dictionary_keeps_legal_terms_whole(tmp_path: Path) -> None:
    user_dict = tmp_path / "terms.txt"
    user_dict.write_text("代通知金 5000 n\n", encoding="utf-8")
    assert "代通知金" in Tokenizer(user_dict=user_dict).tokens("单位要给代通知金吗")


def test_search_mode_yields_long_terms_and_their_parts() -> None:
    tokens = Tokenizer().tokens("用人单位")
    assert {"用人单位", "单位"} <= set(tokens)
