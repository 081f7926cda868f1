"""The service package pages: list, page, create, edit, items; the RO estimate's panel and its one click."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import staff_user
from core.tests.helpers import login
from packages.models import PackageApplication, ServicePackage
from packages.tests.factories import manager, oil_service, operation, vw
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import make_order

D = Decimal
pytestmark = pytest.mark.django_db
LIST = reverse("packages:package_list")


def test_the_list_shows_the_dealers_packages_with_their_price(dealer_a, dealer_b, django_assert_max_num_queries):
    for n in range(3):
        oil_service(dealer_a, code=f"VW-{n}")
    oil_service(dealer_b, code="THEIRS")
    client = login(staff_user(dealer_a, Role.SERVICE_ADVISOR))
    with django_assert_max_num_queries(14):
        page = client.get(LIST).content.decode()
    assert "VW-0" in page and "VW-2" in page and "THEIRS" not in page
    assert page.count("598.90") == 3  # with VAT
    for n in range(3, 12):
        oil_service(dealer_a, code=f"VW-{n}")
    with django_assert_max_num_queries(14):
        assert client.get(LIST).content.decode().count("598.90") == 12
    theirs = ServicePackage.objects.get(code="THEIRS")
    assert theirs.get_absolute_url() not in client.get(LIST + "?q=THEIRS").content.decode()
    found = client.get(LIST + "?q=VW-1").content.decode()
    assert 'href="/packages/' in found and "VW-10" in found and "VW-2<" not in found


def test_the_chinese_list_and_the_navigation(dealer_a):
    oil_service(dealer_a)
    page = login(staff_user(dealer_a, Role.SERVICE_ADVISOR), language=None).get(LIST).content.decode()
    assert '<html lang="zh-hans">' in page and "A类保养" in page
    assert 'href="/packages/"' in page  # the navigation entry


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.CASHIER, Role.PARTS_CLERK])
def test_roles_without_packages_get_404_and_no_menu_entry(dealer_a, role):
    package = oil_service(dealer_a)
    client = login(staff_user(dealer_a, role))
    assert client.get(LIST).status_code == 404
    assert client.get(package.get_absolute_url()).status_code == 404
    assert 'href="/packages/"' not in client.get("/").content.decode()


def test_another_dealers_package_is_a_404(dealer_a, dealer_b):
    theirs = oil_service(dealer_b)
    client = login(manager(dealer_a))
    assert client.get(theirs.get_absolute_url()).status_code == 404
    response = client.post(reverse("packages:package_edit", args=[theirs.pk]), {"version": 1, "name": "x"})
    assert response.status_code == 404
    item = theirs.items.first()
    assert client.post(reverse("packages:package_item_remove", args=[item.pk])).status_code == 404
    assert theirs.items.count() == 4


def test_the_manager_creates_a_package_and_adds_items(dealer_a):
    brand = vw(dealer_a)
    op = operation(dealer_a)
    client = login(manager(dealer_a))
    assert client.get(reverse("packages:package_create")).status_code == 200
    response = client.post(reverse("packages:package_create"), {
        "dealer": dealer_a.pk, "code": "VW-B", "name": "B类保养", "brand": brand.pk, "series": "朗逸，速腾",
        "job_type": "maintenance", "first_due_km": 20000, "every_km": 20000, "pricing": "computed", "is_active": "on",
    })  # fmt: skip
    package = ServicePackage.objects.get(code="VW-B")
    assert response.status_code == 302 and response["Location"] == package.get_absolute_url()
    assert package.series == "朗逸, 速腾"
    add = reverse("packages:package_item_add", args=[package.pk])
    assert client.post(add, {"version": 1, "kind": "labour", "operation": op.pk}).status_code == 302
    response = client.post(add, {"version": 2, "kind": "part", "part_number": "NOPE-1"})
    assert response.status_code == 400 and "No part NOPE-1" in response.content.decode()
    response = client.post(add, {"version": 2, "kind": "sundry", "description": "", "amount": "10"})
    assert response.status_code == 400
    assert (
        client.post(add, {"version": 2, "kind": "sundry", "description": "废油处理", "amount": "10"}).status_code == 302
    )
    page = client.get(package.get_absolute_url()).content.decode()
    assert "废油处理" in page and 'id="package-net"' in page
    assert package.items.count() == 2


def test_a_stale_edit_is_refused_with_a_message(dealer_a):
    package = oil_service(dealer_a)
    client = login(manager(dealer_a))
    data = {"code": "VW-A", "name": "A 保养", "brand": package.brand_id, "job_type": "maintenance",
            "pricing": "fixed", "fixed_price": "499", "is_active": "on"}  # fmt: skip
    assert client.post(reverse("packages:package_edit", args=[package.pk]), {**data, "version": 1}).status_code == 302
    response = client.post(reverse("packages:package_edit", args=[package.pk]), {**data, "version": 1})
    assert response.status_code == 400 and "Someone else saved" in response.content.decode()
    package.refresh_from_db()
    assert (package.name, package.pricing, package.fixed_price, package.version) == ("A 保养", "fixed", D("499.00"), 2)


def test_the_advisor_reads_but_does_not_edit(dealer_a):
    package = oil_service(dealer_a)
    client = login(staff_user(dealer_a, Role.SERVICE_ADVISOR))
    page = client.get(package.get_absolute_url()).content.decode()
    assert "A类保养" in page and 'id="item-form"' not in page and 'id="edit"' not in page
    assert client.post(reverse("packages:package_edit", args=[package.pk]), {"version": 1}).status_code == 404
    assert client.get(reverse("packages:package_create")).status_code == 404


# --- the repair order's estimate ------------------------------------------------------------------------------------


def test_the_estimate_panel_lists_the_fitting_packages_and_one_click_adds_one(vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    oil_service(dealer_a, code="T-A", series="卡罗拉")  # another series: not offered
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    client = login(advisor_a)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="ro-packages"' in page and 'data-package="VW-A"' in page and 'data-package="T-A"' not in page
    assert "598.90" in page
    response = client.post(reverse("packages:package_apply", args=[order.pk]), {"package": package.pk})
    assert response.status_code == 302 and response["Location"].endswith("#estimate")
    assert order.lines.count() == 4
    assert PackageApplication.objects.get(order=order).package == package
    page = client.get(order.get_absolute_url()).content.decode()
    assert "on this estimate" in page


def test_the_panel_is_gone_once_the_estimate_is_given_and_for_other_roles(vehicle_a, advisor_a, dealer_a):
    oil_service(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    foreman = staff_user(dealer_a, Role.FOREMAN)
    assert 'id="ro-packages"' not in login(foreman).get(order.get_absolute_url()).content.decode()
    given = make_order(vehicle_a.__class__.objects.create(
        dealer=dealer_a, owner=vehicle_a.owner, vin="LSVAB2180E2100999", brand="大众", series="朗逸",
    ), advisor_a, S.ESTIMATED)  # fmt: skip
    assert 'id="ro-packages"' not in login(advisor_a).get(given.get_absolute_url()).content.decode()


def test_applying_refused_shows_why_and_changes_nothing(vehicle_a, advisor_a, dealer_a, dealer_b):
    package = oil_service(dealer_a)
    package.items.get(part__number="03C115561H").part.prices.all().delete()
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    client = login(advisor_a)
    response = client.post(reverse("packages:package_apply", args=[order.pk]), {"package": package.pk}, follow=True)
    assert "03C115561H" in response.content.decode()
    assert order.lines.count() == 0
    theirs = oil_service(dealer_b, code="B-A")
    assert client.post(reverse("packages:package_apply", args=[order.pk]), {"package": theirs.pk}).status_code == 404
    assert client.post(reverse("packages:package_apply", args=[order.pk]), {"package": "x"}).status_code == 302
    assert order.lines.count() == 0


def test_the_delivery_panel_names_the_next_package(vehicle_a, advisor_a, dealer_a):
    from repairs.tests.factories import staff_for

    package = oil_service(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.READY, staff=staff_for(dealer_a))  # odometer 23,500
    client = login(advisor_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="next-service-package"' in page and package.name in page and "30000 km" in page
    assert 'name="next_service_due_km" value="30000"' in page
