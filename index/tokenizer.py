"""Chinese tokenisation for retrieval: jieba with a legal user dictionary and stop words."""

import logging
import re
from functools import cached_property
from pathlib import Path

import jieba

from index.text import normalize

DATA = Path(__file__).parent / "data"
LEGAL_TERMS = DATA / "legal_terms.txt"
STOPWORDS = DATA / "stopwords.txt"
DOMAIN_WORDS = DATA / "domain_words.txt"
WORD = re.compile(r"[\w\u4e00-\u9fff]")
PUNCTUATION = re.compile(r"[\W_]+")

jieba.setLogLevel(logging.WARNING)


def read_stopwords(path: Path = STOPWORDS) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


class Tokenizer:
    """Search-mode segmentation: long legal terms and their parts both become tokens."""

    def __init__(
        self, user_dict: Path = LEGAL_TERMS, stopwords: frozenset[str] | None = None, domain_words: Path = DOMAIN_WORDS
    ) -> None:
        self.user_dict = user_dict
        self.stopwords = stopwords if stopwords is not None else read_stopwords()
        self.domain_words = domain_words

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        if self.user_dict.is_file():
            tokenizer.load_userdict(str(self.user_dict))
        return tokenizer

    @cached_property
    def domain_terms(self) -> tuple[str, ...]:
        """Legal terms and everyday workplace words: a message with none of them is not about work or the union."""
        words: set[str] = set()
        for source in (self.user_dict, self.domain_words):
            if source.is_file():
                lines = source.read_text(encoding="utf-8").splitlines()
                words.update(normalize(line.split()[0]) for line in lines if line.strip() and not line.startswith("#"))
        return tuple(sorted(word for word in words if len(word) >= 2))

    def in_domain(self, text: str) -> bool:
        normalized = normalize(text)
        return any(term in normalized for term in self.domain_terms)

    def warm_up(self) -> None:
        """Load the dictionaries now rather than on the first question."""
        self._jieba
        self.domain_terms

    def tokens(self, text: str) -> list[str]:
        return [
            token
            for token in self._jieba.cut_for_search(normalize(text), HMM=True)
            if token not in self.stopwords and WORD.search(token) and not token.isdigit()
        ]


def char_bigrams(text: str) -> list[str]:
    """Overlapping character pairs: robust where segmentation differs between question and passage."""
    chars = PUNCTUATION.sub("", normalize(text))
    return [chars[i : i + 2] for i in range(len(chars) - 1)]
