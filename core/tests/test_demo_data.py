"""The demo data command: realistic, valid, deterministic with a seed, idempotent, clear errors."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import DealerMembership, RegionMembership, User
from customers.demo import ARCHIVE_BEFORE, NEW_PER_MONTH
from customers.models import Customer, Vehicle, VehicleOwnership
from organization.models import Dealer

pytestmark = pytest.mark.django_db

ARGS = ["--force", "--dealers", "2", "--months", "2", "--seed", "11", "--until", "2026-10-31"]


def load(*args) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def archive_fingerprint() -> list[tuple]:
    return list(
        Vehicle.objects.order_by("dealer__code", "vin").values_list(
            "dealer__code", "vin", "plate", "brand", "owner__name", "owner__mobile", "owner__created_at"
        )
    )


def test_demo_data_is_valid_realistic_and_complete():
    output = load(*ARGS)
    assert list(Dealer.objects.order_by("code").values_list("code", flat=True)) == ["GZ01", "SZ01"]
    # Twelve new customers a month per dealer, and the archive of those who first came before the demo period.
    assert Customer.objects.count() == 2 * (2 * NEW_PER_MONTH + ARCHIVE_BEFORE)
    assert NEW_PER_MONTH == 12
    assert Vehicle.objects.count() >= Customer.objects.count()
    assert VehicleOwnership.objects.filter(ended_on__isnull=True).count() == Vehicle.objects.count()
    for record in [*Customer.objects.all(), *Vehicle.objects.all()]:
        record.full_clean()  # valid VIN check digits, plates, mobiles; unique per dealer
    plates = Vehicle.objects.filter(dealer__code="GZ01").exclude(plate="").values_list("plate", flat=True)
    assert plates and all(p.startswith("粤A") for p in plates)
    assert Customer.objects.filter(archive_complete=True).exists()
    assert Customer.objects.filter(archive_complete=False).exists()
    # Every role has a login, staff work for one dealer, region managers read their region.
    advisor = User.objects.get(username="advisor1")
    assert list(DealerMembership.objects.filter(user=advisor).values_list("dealer__code", flat=True)) == ["GZ01"]
    assert RegionMembership.objects.filter(user__username="region_south").count() == 1
    assert User.objects.get(username="admin").is_superuser
    assert "advisor1" in output and "demo12345" in output


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    with transaction.atomic():
        load(*ARGS)
        first = archive_fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        load(*ARGS)
        again = archive_fingerprint()
        transaction.set_rollback(True)
    load(*ARGS[:-4], "--seed", "12", "--until", "2026-10-31")
    other = archive_fingerprint()
    assert first == again
    assert first != other


def test_a_second_run_changes_nothing():
    load(*ARGS)
    before = (Customer.objects.count(), Vehicle.objects.count(), User.objects.count())
    assert "nothing to do" in load(*ARGS)
    assert (Customer.objects.count(), Vehicle.objects.count(), User.objects.count()) == before


@pytest.mark.parametrize(
    "args",
    [
        ["--force", "--dealers", "0"],
        ["--force", "--dealers", "13"],
        ["--force", "--months", "0"],
        ["--force", "--months", "37"],
        ["--dealers", "1"],
    ],
)
def test_bad_options_exit_2_and_create_nothing(args):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        load(*args)
    assert error.value.returncode == 2
    assert Dealer.objects.count() == 0


def test_no_future_timestamps_even_for_today():
    from django.utils import timezone

    load("--force", "--dealers", "1", "--months", "1")
    now = timezone.now()
    assert not Customer.objects.filter(created_at__gt=now).exists()
    assert not Customer.objects.filter(archive_completed_at__gt=now).exists()
    assert not Customer.objects.filter(consent_at__gt=now).exists()
