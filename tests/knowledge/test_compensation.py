"""Worked examples of the compensation arithmetic, at the boundaries the law draws."""

from datetime import date
from decimal import Decimal

import pytest

from knowledge.compensation import Ending, Service, calculate, compensation_years, service_between, service_of_months

AVERAGE = Decimal(8000)


def test_five_months_twenty_nine_days_is_half_a_month_six_months_is_a_whole_one() -> None:
    almost = service_between(date(2023, 3, 1), date(2023, 8, 30))
    assert (almost.years, almost.months, almost.days) == (0, 5, 29)
    assert compensation_years(almost) == Decimal("0.5")
    six = service_between(date(2023, 3, 1), date(2023, 9, 1))
    assert (six.years, six.months, six.days) == (0, 6, 0)
    assert compensation_years(six) == Decimal(1)


def test_a_remainder_counts_on_top_of_full_years() -> None:
    assert compensation_years(service_between(date(2020, 1, 10), date(2024, 7, 9))) == Decimal("4.5")
    assert compensation_years(service_between(date(2020, 1, 10), date(2024, 7, 10))) == Decimal(5)
    assert compensation_years(service_of_months(48)) == Decimal(4)
    assert compensation_years(Service(0, 0, 0)) == Decimal(0)


def test_month_ends_are_counted_by_the_calendar() -> None:
    assert service_between(date(2023, 1, 31), date(2023, 2, 28)) == Service(0, 0, 28)
    with pytest.raises(ValueError):
        service_between(date(2024, 1, 1), date(2023, 1, 1))


def test_economic_compensation_n() -> None:
    result = calculate(Decimal(6000), service_between(date(2019, 3, 1), date(2024, 10, 15)), Ending.MUTUAL, AVERAGE)
    assert result.years == Decimal(6) and not result.capped
    assert (result.compensation, result.notice_pay, result.total) == (Decimal(36000), 0, Decimal(36000))


def test_n_plus_one_without_notice_and_2n_for_unlawful_dismissal() -> None:
    service = service_of_months(30)
    no_notice = calculate(Decimal(5000), service, Ending.NO_NOTICE, AVERAGE)
    assert (no_notice.compensation, no_notice.notice_pay, no_notice.total) == (Decimal(15000), Decimal(5000), Decimal(20000))
    unlawful = calculate(Decimal(5000), service, Ending.UNLAWFUL, AVERAGE)
    assert unlawful.doubled and unlawful.compensation == Decimal(30000) and unlawful.notice_pay == 0


def test_resigning_of_ones_own_accord_is_owed_nothing_but_double_wages_still_are() -> None:
    result = calculate(Decimal(5000), service_of_months(20), Ending.RESIGNED, AVERAGE, months_without_contract=4)
    assert result.compensation == 0 and result.double_wage_months == 3 and result.total == Decimal(15000)


def test_double_wages_start_in_the_second_month_and_stop_at_eleven() -> None:
    def months(unsigned: int) -> int:
        return calculate(Decimal(4000), service_of_months(24), Ending.RESIGNED, AVERAGE, unsigned).double_wage_months

    assert [months(n) for n in (0, 1, 2, 11, 12, 13, 30)] == [0, 0, 1, 10, 11, 11, 11]
    assert calculate(Decimal(4000), service_of_months(24), Ending.RESIGNED, AVERAGE, 18).double_wages == Decimal(44000)


def test_high_earners_are_paid_on_three_times_the_average_for_at_most_twelve_years() -> None:
    twenty = service_of_months(20 * 12)
    capped = calculate(Decimal(30000), twenty, Ending.DISMISSED, AVERAGE)
    assert capped.capped and capped.base == Decimal(24000) and capped.years == Decimal(12)
    assert capped.compensation == Decimal(288000)
    at_the_cap = calculate(Decimal(24000), twenty, Ending.DISMISSED, AVERAGE)
    assert not at_the_cap.capped and at_the_cap.years == Decimal(20), "exactly three times is not above it"
    unlawful = calculate(Decimal(30000), twenty, Ending.UNLAWFUL, AVERAGE)
    assert unlawful.compensation == Decimal(576000)
    no_notice = calculate(Decimal(30000), twenty, Ending.NO_NOTICE, AVERAGE)
    assert no_notice.notice_pay == Decimal(30000), "the notice month is the actual wage, not capped"


def test_exactly_twelve_years_and_just_over_under_the_cap() -> None:
    twelve = service_between(date(2012, 5, 1), date(2024, 5, 1))
    assert twelve == Service(12, 0, 0)
    assert calculate(Decimal(30000), twelve, Ending.DISMISSED, AVERAGE).years == Decimal(12)
    longer = service_between(date(2012, 5, 1), date(2024, 8, 1))
    assert calculate(Decimal(30000), longer, Ending.DISMISSED, AVERAGE).years == Decimal(12)
    assert calculate(Decimal(9000), longer, Ending.DISMISSED, AVERAGE).years == Decimal("12.5")


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        calculate(Decimal(0), service_of_months(12), Ending.DISMISSED, AVERAGE)
    with pytest.raises(ValueError):
        calculate(Decimal(5000), service_of_months(12), Ending.DISMISSED, AVERAGE, -1)
