"""What a worker is owed when a labour contract ends, computed as the Labour Contract Law sets it out.

- Economic compensation N (劳动合同法 47): a month's wage per full year of service; a remainder of six months
  or more counts as a year, under six months as half a year. The wage is the average of the twelve months
  before the end (实施条例 27). A worker earning over three times the local average monthly wage is paid on
  three times that average, for at most twelve years.
- N+1 (劳动合同法 40): a dismissal under article 40 without thirty days' written notice adds a month's wage
  (代通知金, the last month's wage, not capped).
- 2N (劳动合同法 87): an unlawful dismissal is compensated at twice the article 47 standard.
- Double wages (劳动合同法 82): for each month without a written contract, from the second month, one more
  month's wage, at most eleven.

Pure arithmetic over what the worker states; the chat flow (bot/flows/calculator.py) asks for it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CAP_MULTIPLE = 3
CAP_YEARS = Decimal(12)
DOUBLE_WAGE_MONTHS = 11
HALF = Decimal("0.5")
CENT = Decimal("0.01")


class Ending(StrEnum):
    """Why the contract ended, as far as the amount owed depends on it."""

    UNLAWFUL = "unlawful"
    """Dismissed unlawfully (no lawful ground or procedure): 2N."""
    NO_NOTICE = "no_notice"
    """Dismissed under article 40 (illness, incompetence, changed circumstances) without 30 days' notice: N+1."""
    DISMISSED = "dismissed"
    """Dismissed lawfully with notice, a mass layoff, or the employer closing: N."""
    MUTUAL = "mutual"
    """Ended by agreement the employer proposed: N."""
    EXPIRED = "expired"
    """The fixed term ended and the employer did not renew on terms as good: N."""
    EMPLOYER_FAULT = "employer_fault"
    """The worker quit because the employer did not pay wages or social insurance (article 38): N."""
    RESIGNED = "resigned"
    """The worker quit of their own accord: nothing."""


WITH_COMPENSATION = frozenset(Ending) - {Ending.RESIGNED}


@dataclass(frozen=True)
class Service:
    years: int
    months: int
    days: int

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


def service_between(start: date, end: date) -> Service:
    """Calendar years, months and days from the first day of work to the last (5 months 29 days stays under 6)."""
    if end < start:
        raise ValueError("the contract cannot end before it started")
    months = (end.year - start.year) * 12 + end.month - start.month
    days = end.day - start.day
    if days < 0:
        months -= 1
        previous = _add_months(start, months)
        days = (end - previous).days
    return Service(months // 12, months % 12, days)


def service_of_months(months: int) -> Service:
    """The length of service as the worker told it ("干了五年半")."""
    return Service(months // 12, months % 12, 0)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def compensation_years(service: Service) -> Decimal:
    """Months of wage owed under article 47: a year per full year; 6 months or more one more, less half."""
    extra = Decimal(1) if service.months >= 6 else HALF if service.months or service.days else Decimal(0)
    return Decimal(service.years) + extra


@dataclass(frozen=True)
class Calculation:
    wage: Decimal
    base: Decimal
    """The monthly wage the compensation is paid on (three times the local average when capped)."""
    capped: bool
    service: Service
    years: Decimal
    """Months of wage for the years of service (before any doubling), after the twelve-year cap."""
    ending: Ending
    compensation: Decimal
    """N, or 2N for an unlawful dismissal; 0 when nothing is owed."""
    notice_pay: Decimal
    """The '+1' of N+1."""
    double_wage_months: int
    double_wages: Decimal

    @property
    def total(self) -> Decimal:
        return self.compensation + self.notice_pay + self.double_wages

    @property
    def doubled(self) -> bool:
        return self.ending is Ending.UNLAWFUL


def calculate(
    wage: Decimal, service: Service, ending: Ending, average_wage: Decimal, months_without_contract: int = 0
) -> Calculation:
    """Everything owed for one ended contract; `average_wage` is the local average monthly wage of the previous
    year (the high-earner cap)."""
    if wage <= 0 or average_wage <= 0:
        raise ValueError("wages must be positive")
    if months_without_contract < 0:
        raise ValueError("months without a contract cannot be negative")
    cap = average_wage * CAP_MULTIPLE
    capped = wage > cap
    base = cap if capped else wage
    years = compensation_years(service)
    if capped:
        years = min(years, CAP_YEARS)
    owed = ending in WITH_COMPENSATION
    compensation = base * years * (2 if ending is Ending.UNLAWFUL else 1) if owed else Decimal(0)
    notice = wage if ending is Ending.NO_NOTICE else Decimal(0)
    double_months = min(max(months_without_contract - 1, 0), DOUBLE_WAGE_MONTHS)
    return Calculation(
        wage=wage,
        base=base,
        capped=capped,
        service=service,
        years=years,
        ending=ending,
        compensation=_money(compensation),
        notice_pay=_money(notice),
        double_wage_months=double_months,
        double_wages=_money(wage * double_months),
    )


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
