from decimal import Decimal

import pytest

from core.validation import mask_phone, parse_amount, parse_mobile


@pytest.mark.parametrize(
    ("text", "phone"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("139-1234-5678", "13912345678"),
     ("+86 13912345678", "13912345678"), ("+86 139-1234-5678", "13912345678"), ("+86-139-1234-5678", "13912345678"),
     ("0086 13912345678", "13912345678"), ("手机13912345678", "13912345678"), ("１３９１２３４５６７８", "13912345678"),
     ("12812345678", None), ("1381234567", None), ("138123456789", None), ("电话", None), ("", None),
     ("我不想留电话", None), ("13812345678 13912345678", None)],
)
def test_mainland_mobile_numbers(text: str, phone: str | None) -> None:
    assert parse_mobile(text) == phone


@pytest.mark.parametrize(
    ("text", "amount"),
    [("15000", "15000"), ("1.5万", "15000"), ("2万元", "20000"), ("8000块", "8000"), ("五千", "5000"),
     ("3,500", "3500"), ("约2000元", "2000"), ("大概两万四", "24000"), ("2.4万", "24000"), ("两万四千", "24000"),
     ("24000元", "24000"), ("两万四", "24000"), ("2万4", "24000"), ("1.5k", "1500"), ("四千五", "4500"),
     ("一万二千五百", "12500"), ("三千零五十", "3050"), ("十万", "100000"), ("两万多块钱", "20000"),
     ("2000块左右", "2000"), ("很多", None), ("-5", None), ("1e9", None), ("999999999999", None), ("万", None),
     ("跳过", None)],
)
def test_amounts_as_people_type_them(text: str, amount: str | None) -> None:
    assert parse_amount(text) == (Decimal(amount) if amount else None)


def test_phone_mask() -> None:
    assert mask_phone("13812345678") == "138****5678"
