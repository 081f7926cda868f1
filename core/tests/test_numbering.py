"""Document numbering (core.numbering.next_number): format, sequence per dealer and period, concurrent desks."""

import threading
import time
from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction

from care.models import Letter
from core.numbering import next_number
from core.tests.factories import CustomerFactory, UserFactory
from core.tests.helpers import sh

MONTHLY = "LT-{dealer}-{when:%Y%m}-"
YEARLY = "{dealer}-L{when:%Y}-"


def register(dealer, number: str) -> Letter:
    """A stored letter with the given number (the numbering counts on from stored documents)."""
    return Letter.objects.create(
        dealer=dealer, number=number, customer=CustomerFactory(dealer=dealer), kind="notice", medium="post",
        subject="保养通知", body="…", sent_on=date(2026, 11, 2), sent_by=UserFactory(),
    )  # fmt: skip


def numbered(dealer, when, prefix=MONTHLY, **options) -> str:
    with transaction.atomic():
        return next_number(Letter, dealer=dealer, when=when, prefix=prefix, **options)


@pytest.mark.django_db
def test_the_first_number_of_a_period_is_one_and_the_next_counts_on_from_the_highest(dealer_a):
    november = sh(2026, 11, 15, 10, 0)
    assert numbered(dealer_a, november) == "LT-A001-202611-0001"
    register(dealer_a, "LT-A001-202611-0001")
    register(dealer_a, "LT-A001-202611-0007")  # a gap (a number typed in by the demo data) is not filled
    assert numbered(dealer_a, november) == "LT-A001-202611-0008"
    assert numbered(dealer_a, november, digits=5) == "LT-A001-202611-00008"
    assert numbered(dealer_a, date(2026, 3, 1), prefix=YEARLY) == "A001-L2026-0001"


@pytest.mark.django_db
def test_each_period_has_its_own_sequence_in_the_dealers_local_time(dealer_a):
    register(dealer_a, "LT-A001-202611-0004")
    register(dealer_a, "A001-L2025-0009")
    # 23:50 on 30 November in Shanghai is still November ...
    assert numbered(dealer_a, sh(2026, 11, 30, 23, 50)) == "LT-A001-202611-0005"
    # ... ten past midnight is December, though it is still 30 November in UTC.
    assert numbered(dealer_a, datetime(2026, 11, 30, 16, 10, tzinfo=UTC)) == "LT-A001-202612-0001"
    assert numbered(dealer_a, date(2026, 1, 2), prefix=YEARLY) == "A001-L2026-0001"
    assert numbered(dealer_a, date(2025, 12, 31), prefix=YEARLY) == "A001-L2025-0010"


@pytest.mark.django_db
def test_two_dealers_count_independently(dealer_a, dealer_b):
    november = sh(2026, 11, 15, 10, 0)
    register(dealer_a, "LT-A001-202611-0003")
    assert numbered(dealer_b, november) == "LT-B001-202611-0001"
    register(dealer_b, "LT-B001-202611-0001")
    assert numbered(dealer_a, november) == "LT-A001-202611-0004"
    assert numbered(dealer_b, november) == "LT-B001-202611-0002"
    # Documents without a dealer column (settlements) are told apart by the dealer code in the prefix alone.
    assert numbered(dealer_b, november, dealer_field=None) == "LT-B001-202611-0002"


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_a_programming_error(dealer_a):
    with pytest.raises(RuntimeError, match=r"next_number\(\) must be called inside transaction.atomic\(\)"):
        next_number(Letter, dealer=dealer_a, when=date(2026, 11, 2), prefix=YEARLY)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_desks_numbering_at_the_same_moment_get_consecutive_numbers(dealer_a):
    customer, clerk = CustomerFactory(dealer=dealer_a), UserFactory()
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def desk() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                number = next_number(Letter, dealer=dealer_a, when=date(2026, 11, 2), prefix=YEARLY)
                time.sleep(0.3)  # hold the dealer row: the other desk must wait, not read the same highest number
                Letter.objects.create(dealer=dealer_a, number=number, customer=customer, kind="notice",
                                      medium="post", subject="s", body="b", sent_on=date(2026, 11, 2),
                                      sent_by=clerk)  # fmt: skip
            with lock:
                numbers.append(number)
        except Exception as exc:  # an IntegrityError here is the bug the dealer lock prevents
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(numbers) == ["A001-L2026-0001", "A001-L2026-0002"]
    assert sorted(Letter.objects.values_list("number", flat=True)) == ["A001-L2026-0001", "A001-L2026-0002"]
