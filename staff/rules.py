"""Pure rules of the staff domain (no Django): yearly training requirement and its pro-rating.

The domain documents require onboarding training for every service employee and a training
plan with courses (002: "必须进行服务人员上岗培训", "有服务培训体系和培训计划、课目") and at least
four business-skills trainings a year for the front desk (001), but give no figure in hours.
The defaults below are ours: 40 hours a year for the people who deal with customers' cars
and customers (technicians, foremen, QC inspectors, advisors) and 24 hours for everyone else.
A dealer changes them per position (``TrainingRequirement``).

KPI C3 counts a person as compliant when the hours of this year so far reach the share of the
yearly requirement that is due by the day of evaluation: the requirement × (days employed this
year, up to that day) / (days of the year).  On 31 December this is the full requirement for
everyone employed all year.  Employment is counted from the first day of the month after the
hire date (from the hire date itself when hired on the 1st), so a new hire's first partial
month carries no requirement.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_YEARLY_HOURS = {
    "technician": Decimal("40"),
    "foreman": Decimal("40"),
    "qc_inspector": Decimal("40"),
    "service_advisor": Decimal("40"),
}
OTHER_YEARLY_HOURS = Decimal("24")

EXPIRY_WARNING_DAYS = 30  # a certificate expiring within this many days raises a to-do for the service manager


def default_yearly_hours(position: str) -> Decimal:
    """The yearly training hours a position needs when its dealer has not set its own figure."""
    return DEFAULT_YEARLY_HOURS.get(position, OTHER_YEARLY_HOURS)


def employment_start_in_year(hire_date: date, year: int) -> date:
    """The day from which the training requirement of ``year`` runs for someone hired on ``hire_date``."""
    jan1 = date(year, 1, 1)
    if hire_date <= jan1:
        return jan1
    if hire_date.day == 1:
        return hire_date
    if hire_date.month == 12:
        return date(hire_date.year + 1, 1, 1)
    return date(hire_date.year, hire_date.month + 1, 1)


def share_of_year_due(start: date, as_of: date) -> Decimal:
    """The share of the yearly requirement due by ``as_of`` for someone counted from ``start`` (0…1)."""
    days_in_year = (date(as_of.year + 1, 1, 1) - date(as_of.year, 1, 1)).days
    days = max(0, (as_of - start).days + 1)
    return (Decimal(days) / Decimal(days_in_year)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def required_hours_to_date(yearly_hours: Decimal, hire_date: date, as_of: date) -> Decimal:
    """The training hours someone must have by ``as_of`` this year (the rule above), to 0.1 h."""
    share = share_of_year_due(employment_start_in_year(hire_date, as_of.year), as_of)
    return (Decimal(yearly_hours) * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_starts_until(as_of: date) -> list[date]:
    """The first days of the months of ``as_of``'s year up to ``as_of`` (the possible employment starts)."""
    return [date(as_of.year, month, 1) for month in range(1, as_of.month + 1)]
