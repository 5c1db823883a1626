from decimal import Decimal

import pytest

from core.validation import mask_phone, parse_amount, parse_mobile


@pytest.mark.parametrize(
    ("text", "phone"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86-139-1234-5678", "13912345678"),
     ("12812345678", None), ("1381234567", None), ("138123456789", None), ("电话", None), ("", None)],
)
def test_mainland_mobile_numbers(text: str, phone: str | None) -> None:
    assert parse_mobile(text) == phone


@pytest.mark.parametrize(
    ("text", "amount"),
    [("15000", "15000.00"), ("1.5万", "15000.00"), ("2万元", "20000.00"), ("8000块", "8000.00"),
     ("五千", "5000.00"), ("3,500", "3500.00"), ("约2000元", "2000.00"), ("很多", None), ("-5", None),
     ("1e9", None), ("999999999999", None)],
)
def test_amounts(text: str, amount: str | None) -> None:
    assert parse_amount(text) == (Decimal(amount) if amount else None)


def test_phone_mask() -> None:
    assert mask_phone("13812345678") == "138****5678"
