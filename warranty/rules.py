"""The in-warranty rule (保修期判断) as plain Python: by date and by mileage, whichever comes first.

No Django here, so the rule can be read and tested alone; ``warranty.services.warranty_status``
looks up the vehicle and the brand's terms and turns the result into a sentence.

Legal background, kept as data below:

* 《家用汽车产品修理更换退货责任规定》 (国家市场监督管理总局令第43号, in force 2022-01-01, the
  "三包" rules for family cars): 包修期 (repair warranty) not less than 3 years or 60,000 km,
  三包有效期 (repair/replace/refund period) not less than 2 years or 50,000 km, whichever comes
  first, both counted from the date of the purchase invoice.
* 财建〔2015〕134号 (new-energy vehicle subsidy rules): the maker guarantees the traction battery,
  motor and motor controller for not less than 8 years or 120,000 km.
* 《民法典》 第201、202条: a period in years or months starts the day after the start date and ends
  on the corresponding day of the last month (the month's last day when there is none). So a
  3-year warranty of a car bought on 2022-03-15 covers a repair on 2025-03-15, not on 2025-03-16.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.dates import add_months


@dataclass(frozen=True)
class Terms:
    """One warranty period: so many months or so many kilometres, whichever comes first."""

    months: int
    km: int


@dataclass(frozen=True)
class WarrantyTerms:
    """A brand's warranty terms: the basic (整车) warranty, the powertrain and the EV traction battery."""

    basic: Terms
    powertrain: Terms
    ev_battery: Terms

    def for_coverage(self, coverage: str) -> Terms:
        """The terms of ``basic``, ``powertrain`` or ``ev_battery`` (goodwill is judged against basic)."""
        return getattr(self, coverage, self.basic)


# The legal minimum a brand's basic warranty may offer (包修期, 三包 rules) and the 三包有效期.
LEGAL_MINIMUM_REPAIR_WARRANTY = Terms(months=36, km=60_000)
LEGAL_MINIMUM_THREE_GUARANTEES = Terms(months=24, km=50_000)
LEGAL_MINIMUM_EV_BATTERY = Terms(months=96, km=120_000)

# Used for a brand without a WarrantyPolicy: 3 years / 100,000 km (what most brands in China give,
# above the legal 3 years / 60,000 km); no separate powertrain extension; EV battery at the legal
# minimum of 8 years / 120,000 km.
DEFAULT_TERMS = WarrantyTerms(
    basic=Terms(months=36, km=100_000),
    powertrain=Terms(months=36, km=100_000),
    ev_battery=Terms(months=96, km=120_000),
)


# Why a repair is or is not covered (the codes of CoverResult).
COVERED = "covered"
NO_START_DATE = "no_start_date"
NO_MILEAGE = "no_mileage"
BEFORE_START = "before_start"
EXPIRED_BY_DATE = "expired_by_date"
EXPIRED_BY_MILEAGE = "expired_by_mileage"


@dataclass(frozen=True)
class CoverResult:
    """The answer of the rule: covered or not, why (a code above), and where the cover ends."""

    covered: bool
    code: str
    last_day: date | None = None
    km_limit: int | None = None


def cover(
    *, start: date | None, terms: Terms, on_date: date, mileage: int | None, last_day: date | None = None
) -> CoverResult:
    """Is a repair on ``on_date`` at ``mileage`` km inside ``terms`` counted from ``start``?

    ``last_day`` (a warranty card's expiry date) replaces ``start`` + months when given. Cover ends on
    the last day or past the kilometre limit, whichever comes first; a repair at exactly the limit
    (day or km) is still covered. Without a start (or last day) or a mileage, cover cannot be proven.
    """
    if last_day is None and start is not None:
        last_day = add_months(start, terms.months)
    if last_day is None:
        return CoverResult(False, NO_START_DATE, None, terms.km)
    if mileage is None:
        return CoverResult(False, NO_MILEAGE, last_day, terms.km)
    if start is not None and on_date < start:
        return CoverResult(False, BEFORE_START, last_day, terms.km)
    if on_date > last_day:
        return CoverResult(False, EXPIRED_BY_DATE, last_day, terms.km)
    if mileage > terms.km:
        return CoverResult(False, EXPIRED_BY_MILEAGE, last_day, terms.km)
    return CoverResult(True, COVERED, last_day, terms.km)
