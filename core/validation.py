"""Validation of what workers type: mainland mobile numbers and money amounts."""

import re
from decimal import Decimal, InvalidOperation

from knowledge.numerals import parse_numeral

MOBILE = re.compile(r"^1[3-9]\d{9}$")
AMOUNT = re.compile(r"^(?P<number>[\d.]+|[零〇一二两三四五六七八九十百千]+)(?P<unit>[万千]?)(?:元|块|块钱|rmb)?$")
UNITS = {"": 1, "千": 1000, "万": 10000}
MAX_AMOUNT = Decimal("100000000")


def parse_mobile(text: str) -> str | None:
    """'138 1234 5678', '+86-13812345678' → '13812345678'; anything else → None."""
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = re.sub(r"^(\+?86)", "", digits)
    return digits if MOBILE.match(digits) else None


def parse_amount(text: str) -> Decimal | None:
    """'3万', '2.5万元', '8000块', '五千' → Decimal; None when it is not an amount."""
    compact = re.sub(r"[\s,，]", "", text).lower().removeprefix("约").removeprefix("大概")
    match = AMOUNT.match(compact)
    if not match:
        return None
    number = match.group("number")
    try:
        value = Decimal(number) if number[0].isdigit() else Decimal(parse_numeral(number))
    except (InvalidOperation, ValueError):
        return None
    amount = (value * UNITS[match.group("unit")]).quantize(Decimal("0.01"))
    return amount if Decimal(0) <= amount < MAX_AMOUNT else None


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
