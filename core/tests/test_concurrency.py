"""Real concurrent transactions on PostgreSQL: two desks saving the same record at the same moment."""

import threading

import pytest
from django.db import connection

from core.services import ConflictError
from customers.models import Customer
from customers.services import customer_update

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_saves_of_the_same_version_exactly_one_wins(advisor_a, customer_a):
    version = customer_a.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk(new_address: str) -> None:
        try:
            customer = Customer.objects.get(pk=customer_a.pk)  # both read the same version first
            barrier.wait(timeout=10)
            customer_update(customer=customer, by=advisor_a, version=version, address=new_address)
            result = "saved"
        except ConflictError:
            result = "conflict"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk, args=(address,)) for address in ("一号路1号", "二号路2号")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "saved"]
    customer_a.refresh_from_db()
    assert customer_a.version == version + 1
    assert customer_a.address in ("一号路1号", "二号路2号")
    assert customer_a.history.filter(address=customer_a.address).count() == 1
