"""Text normalisation applied identically to questions, passages and synonym patterns."""

import unicodedata


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation; lower-case makes 2N and 2n one token."""
    return unicodedata.normalize("NFKC", text).lower().strip()
