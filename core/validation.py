"""What workers type, checked as they write it: names, mainland mobile numbers and money amounts."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from knowledge.numerals import DIGITS, parse_numeral

NAME = re.compile(r"^[\u4e00-\u9fa5·A-Za-z ]{2,20}$")
MOBILE = re.compile(r"1[3-9]\d{9}")
SEPARATORS = re.compile(r"[\s\-–—.()（）]")
COUNTRY_CODE = re.compile(r"^(?:00)?86(?=1\d{10}$)")
ARABIC = re.compile(r"^\d+(?:\.\d+)?$")
HEDGES = ("大概", "大约", "差不多", "将近", "一共", "总共", "合计", "约")
CURRENCY = ("人民币", "块钱", "块", "元", "rmb")
ROUGHLY = ("左右", "多")
MAGNITUDES = (("万", 10000), ("千", 1000), ("百", 100))
MAX_AMOUNT = Decimal("100000000")


def parse_name(text: str) -> str | None:
    """A real name: 2 to 20 Chinese or Latin letters (with · for minority names), no digits or symbols."""
    name = text.strip()
    return name if NAME.match(name) else None


def parse_mobile(text: str) -> str | None:
    """'139 1234 5678', '+86 139-1234-5678', '手机13912345678' → '13912345678'; anything else → None."""
    runs = re.findall(r"\d+", SEPARATORS.sub("", unicodedata.normalize("NFKC", text)))
    if len(runs) != 1:
        return None
    number = COUNTRY_CODE.sub("", runs[0])
    return number if MOBILE.fullmatch(number) else None


def parse_amount(text: str) -> Decimal | None:
    """'2.4万', '两万四', '2万4', '24000元', '1.5k', '大概两万四千' → Decimal; None when it is not an amount.

    A digit after a magnitude counts in the next one down, as people say it: 两万四 is 24000, 四千五 is 4500.
    """
    words = _bare(text)
    try:
        amount = _value(words, MAGNITUDES).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None
    return amount if Decimal(0) <= amount < MAX_AMOUNT else None


def _bare(text: str) -> str:
    """The number alone: no spaces, thousands separators, hedges ('大概'), currency or 'roughly'."""
    words = re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text)).lower().replace("w", "万").replace("k", "千")
    for prefix in HEDGES:
        words = words.removeprefix(prefix)
    for suffix in ROUGHLY + CURRENCY + ROUGHLY:  # '2000块左右' and '两万多块钱' alike
        words = words.removesuffix(suffix)
    return words


def _value(words: str, magnitudes: tuple[tuple[str, int], ...]) -> Decimal:
    for position, (unit, size) in enumerate(magnitudes):
        if unit not in words:
            continue
        head, tail = words.split(unit, 1)
        below = magnitudes[position + 1 :]
        tail = tail.removeprefix("零")
        if len(tail) == 1 and (tail.isdigit() or tail in DIGITS):
            rest = _digit(tail) * (size // 10)
        else:
            rest = _value(tail, below) if tail else Decimal(0)
        return _value(head, below) * size + rest
    if ARABIC.match(words):
        return Decimal(words)
    return Decimal(parse_numeral(words))


def _digit(char: str) -> Decimal:
    return Decimal(int(char) if char.isdigit() else DIGITS[char])


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
