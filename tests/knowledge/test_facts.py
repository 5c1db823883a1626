"""Facts stated in a question: length of service, monthly wage, dates and what happened on them."""

from datetime import date

import pytest

from knowledge.facts import Event, Precision, extract_facts

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("text", "months", "approximate"),
    [
        ("我在厂里干了五年，上个月被辞退了", 60, False),
        ("工作了3年半", 42, False),
        ("在这干了两年三个月", 27, False),
        ("干了半年就被辞了", 6, False),
        ("工龄8个月", 8, False),
        ("入职两年多", 24, True),
        ("干了十几年了", 120, True),
        ("工作满１２年", 144, False),
    ],
)
def test_length_of_service(text: str, months: int, approximate: bool) -> None:
    facts = extract_facts(text, TODAY)
    assert (facts.service_months, facts.service_approximate) == (months, approximate)


@pytest.mark.parametrize(
    "text", ["老板已经三个月没发工资了", "三年前受的伤", "试用期三个月", "合同签了三年", "有三个月的工资没给"]
)
def test_other_lengths_of_time_are_not_service(text: str) -> None:
    assert extract_facts(text, TODAY).service_months is None


@pytest.mark.parametrize(
    ("text", "wage"),
    [
        ("月薪六千", 6000),
        ("工资8000一个月", 8000),
        ("月薪1.2万", 12000),
        ("我每个月一万二", 12000),
        ("每月到手4500块", 4500),
        ("底薪3500", 3500),
        ("5000块一个月", 5000),
    ],
)
def test_monthly_wage(text: str, wage: int) -> None:
    assert extract_facts(text, TODAY).monthly_wage == wage


def test_implausible_amounts_are_not_a_wage() -> None:
    assert extract_facts("工资扣了50", TODAY).monthly_wage is None


def test_absolute_dates_with_what_happened() -> None:
    facts = extract_facts("2019年3月入职，去年12月被开了", TODAY)
    assert facts.date_of(Event.START).on == date(2019, 3, 1)
    assert facts.date_of(Event.START).precision == Precision.MONTH
    assert facts.date_of(Event.END).on == date(2025, 12, 1)


def test_dotted_date_to_the_day() -> None:
    fact = extract_facts("2021.3.5进厂", TODAY).dates[0]
    assert (fact.on, fact.precision, fact.event) == (date(2021, 3, 5), Precision.DAY, Event.START)


def test_relative_dates_count_back_from_today() -> None:
    assert extract_facts("一年半以前被辞退的，还能仲裁吗", TODAY).date_of(Event.END).on == date(2024, 11, 1)
    assert extract_facts("三年前受伤", TODAY).date_of(Event.INJURY).on == date(2023, 5, 1)
    assert extract_facts("上个月被辞退", TODAY).date_of(Event.END).on == date(2026, 4, 1)


def test_a_year_alone_is_year_precise_and_impossible_dates_are_dropped() -> None:
    assert extract_facts("2018年进的公司", TODAY).dates[0].precision == Precision.YEAR
    assert extract_facts("2019年2月30日入职", TODAY).dates == ()
    assert extract_facts("3019年入职", TODAY).dates == ()


def test_nothing_stated_gives_empty_facts() -> None:
    facts = extract_facts("公司不给交社保怎么办", TODAY)
    assert facts.service_months is None and facts.monthly_wage is None and facts.dates == ()
