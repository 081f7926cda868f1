"""Pages of the customer archive: create, add vehicle, edit with locking, change owner, history, language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import archive_snapshot
from customers import services
from customers.models import Customer, Vehicle, VehicleOwnership

pytestmark = pytest.mark.django_db

BAD_MOBILE = "Not a valid mainland mobile number: 11 digits starting with 13–19."


def customer_data(dealer, **overrides) -> dict:
    return {
        "dealer": dealer.pk,
        "kind": "person",
        "name": "王五",
        "mobile": "13700000009",
        "address": "广州市越秀区3号",
        "preferred_channel": "wechat",
        "consent": "given",
        "source": "walk_in",
        **overrides,
    }


def vehicle_data(**overrides) -> dict:
    return {
        "vin": make_vin(500),
        "plate": "粤A50000",
        "brand": "丰田",
        "model_name": "卡罗拉",
        "fuel_type": "hybrid",
        "purchase_date": "2023-05-01",
        "mileage_km": "15000",
        **overrides,
    }


def errors_of(response) -> dict:
    assert response.status_code == 200
    return response.context["form"].errors


# --- create customer -----------------------------------------------------------------------------------------


def test_new_customer_with_a_bad_mobile_shows_the_field_error(web, dealer_a):
    before = archive_snapshot()
    response = web.post(reverse("customers:customer_create"), customer_data(dealer_a, mobile="12345678901"))
    assert errors_of(response) == {"mobile": [BAD_MOBILE]}
    assert f'<ul class="errorlist" role="alert"><li>{BAD_MOBILE}</li></ul>' in response.content.decode()
    assert archive_snapshot() == before


def test_new_customer_without_required_fields_names_them(web, dealer_a):
    before = archive_snapshot()
    response = web.post(reverse("customers:customer_create"), customer_data(dealer_a, name="", mobile=""))
    assert errors_of(response) == {"name": ["This field is required."], "mobile": ["This field is required."]}
    assert archive_snapshot() == before


def test_new_customer_is_saved_and_the_page_goes_on_to_add_the_vehicle(web, advisor_a, dealer_a):
    response = web.post(reverse("customers:customer_create"), customer_data(dealer_a, mobile="+86 137-0000-0009"))
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:vehicle_create", args=[customer.pk])
    assert (customer.dealer, customer.name, customer.mobile, customer.created_by) == (
        dealer_a,
        "王五",
        "13700000009",
        advisor_a,
    )
    follow = web.get(response["Location"])
    assert [str(m) for m in follow.context["messages"]] == ["Customer 王五 created. Now add the vehicle."]


def test_new_customer_form_preselects_the_users_only_dealer(web, dealer_a):
    form = web.get(reverse("customers:customer_create")).context["form"]
    assert form.fields["dealer"].initial == dealer_a.pk
    assert list(form.fields["dealer"].queryset) == [dealer_a]


# --- add vehicle ---------------------------------------------------------------------------------------------


def test_add_vehicle_with_a_wrong_vin_check_digit_says_which_digit(web, customer_a):
    good = make_vin(500)
    wrong_digit = "0" if good[8] != "0" else "1"
    before = archive_snapshot()
    response = web.post(
        reverse("customers:vehicle_create", args=[customer_a.pk]), vehicle_data(vin=good[:8] + wrong_digit + good[9:])
    )
    message = f"VIN check digit (9th character) is {wrong_digit} but should be {good[8]}: please check for a typo."
    assert errors_of(response) == {"vin": [message]}
    assert message in response.content.decode()
    assert archive_snapshot() == before


def test_add_vehicle_with_a_vin_and_plate_on_file_links_to_the_existing_vehicle(web, customer_a, vehicle_a):
    before = archive_snapshot()
    response = web.post(
        reverse("customers:vehicle_create", args=[customer_a.pk]),
        vehicle_data(vin=vehicle_a.vin.lower(), plate="粤a·10001"),
    )
    link = f'<a href="/vehicles/{vehicle_a.pk}/">粤A10001 (张三)</a>'
    assert errors_of(response) == {
        "vin": [f"This VIN is already on file at this dealer: {link}"],
        "plate": [f"This licence plate is already on file at this dealer: {link}"],
    }
    html = response.content.decode()
    assert f"<li>This VIN is already on file at this dealer: {link}</li>" in html
    assert f"<li>This licence plate is already on file at this dealer: {link}</li>" in html
    assert archive_snapshot() == before


def test_add_vehicle_saves_it_with_its_first_owner(web, advisor_a, customer_a):
    response = web.post(reverse("customers:vehicle_create", args=[customer_a.pk]), vehicle_data())
    vehicle = Vehicle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:vehicle_detail", args=[vehicle.pk])
    assert (vehicle.owner, vehicle.dealer, vehicle.vin, vehicle.plate, vehicle.mileage_km) == (
        customer_a,
        customer_a.dealer,
        make_vin(500),
        "粤A50000",
        15000,
    )
    assert list(vehicle.ownerships.values_list("customer_id", "started_on", "ended_on", "recorded_by_id")) == [
        (customer_a.pk, vehicle.purchase_date, None, advisor_a.pk)
    ]


# --- edit with optimistic locking ----------------------------------------------------------------------------


def test_edit_with_a_stale_version_shows_the_conflict_and_changes_nothing(web, dealer_a, customer_a):
    url = reverse("customers:customer_update", args=[customer_a.pk])
    form = web.get(url).context["form"]
    assert form["version"].value() == 1
    # A colleague saves while the form is open.
    colleague = UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer_a])
    services.customer_update(customer=Customer.objects.get(pk=customer_a.pk), by=colleague, version=1, notes="先存")
    before = archive_snapshot()
    data = customer_data(customer_a.dealer, name="后存", mobile=customer_a.mobile, version=form["version"].value())
    response = web.post(url, data)
    message = (
        "Someone else saved this record after you opened it (your version 1, now 2). "
        "Reload the page to see their changes; nothing of yours was saved."
    )
    assert errors_of(response) == {"__all__": [message]}
    assert f'<ul class="errorlist" role="alert"><li>{message}</li></ul>' in response.content.decode()
    assert archive_snapshot() == before
    stored = Customer.objects.get(pk=customer_a.pk)
    assert (stored.name, stored.notes, stored.version) == ("张三", "先存", 2)


def test_edit_without_a_version_shows_why_it_was_not_saved(web, customer_a):
    before = archive_snapshot()
    data = customer_data(customer_a.dealer, name="改名", mobile=customer_a.mobile)
    response = web.post(reverse("customers:customer_update", args=[customer_a.pk]), data)
    message = "The record version is required to save changes."
    assert errors_of(response) == {"version": [message]}
    assert f'<ul class="errorlist" role="alert"><li>{message}</li></ul>' in response.content.decode()
    assert archive_snapshot() == before


def test_edit_vehicle_with_a_stale_version_shows_the_conflict(web, advisor_a, vehicle_a):
    url = reverse("customers:vehicle_update", args=[vehicle_a.pk])
    assert web.get(url).context["form"]["version"].value() == 1
    services.vehicle_update(vehicle=Vehicle.objects.get(pk=vehicle_a.pk), by=advisor_a, version=1, colour="白")
    before = archive_snapshot()
    response = web.post(url, vehicle_data(vin=vehicle_a.vin, plate=vehicle_a.plate, colour="黑", version=1))
    assert list(errors_of(response)) == ["__all__"]
    assert archive_snapshot() == before
    assert Vehicle.objects.get(pk=vehicle_a.pk).colour == "白"


# --- change owner --------------------------------------------------------------------------------------------


def test_change_owner_by_the_new_owners_mobile(web, advisor_a, vehicle_a, dealer_a):
    old_owner = vehicle_a.owner
    new_owner = CustomerFactory(dealer=dealer_a, name="新车主", mobile="13622223333")
    url = reverse("customers:vehicle_change_owner", args=[vehicle_a.pk])
    assert web.get(url).context["form"]["version"].value() == 1
    response = web.post(
        url, {"new_owner_mobile": "+86 136 2222 3333", "started_on": "2024-06-01", "note": "转让", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:vehicle_detail", args=[vehicle_a.pk])
    vehicle_a.refresh_from_db()
    assert (vehicle_a.owner, vehicle_a.version) == (new_owner, 2)
    rows = VehicleOwnership.objects.filter(vehicle=vehicle_a).order_by("started_on")
    assert [(o.customer_id, str(o.started_on), str(o.ended_on), o.note) for o in rows] == [
        (old_owner.pk, "2024-01-01", "2024-06-01", ""),
        (new_owner.pk, "2024-06-01", "None", "转让"),
    ]
    detail = web.get(response["Location"])
    assert [o.customer for o in detail.context["ownerships"]] == [new_owner, old_owner]
    former = web.get(reverse("customers:customer_detail", args=[old_owner.pk]))
    assert [o.vehicle for o in former.context["former_vehicles"]] == [vehicle_a]


def test_change_owner_to_an_unknown_mobile_offers_to_create_the_customer(web, vehicle_a):
    before = archive_snapshot()
    response = web.post(
        reverse("customers:vehicle_change_owner", args=[vehicle_a.pk]),
        {"new_owner_mobile": "13699998888", "started_on": "2024-06-01", "version": 1},
    )
    assert errors_of(response) == {
        "new_owner_mobile": [
            'No customer of this dealer has this mobile. <a href="/customers/new/">Create the customer first.</a>'
        ]
    }
    assert archive_snapshot() == before


def test_change_owner_to_a_customer_of_another_dealer_is_refused(web, vehicle_a, dealer_b):
    CustomerFactory(dealer=dealer_b, mobile="13699998888")
    before = archive_snapshot()
    response = web.post(
        reverse("customers:vehicle_change_owner", args=[vehicle_a.pk]),
        {"new_owner_mobile": "13699998888", "started_on": "2024-06-01", "version": 1},
    )
    assert list(errors_of(response)) == ["new_owner_mobile"]
    assert archive_snapshot() == before


def test_change_owner_before_the_current_owner_started_is_a_field_error(web, vehicle_a, dealer_a):
    CustomerFactory(dealer=dealer_a, mobile="13622223333")
    before = archive_snapshot()
    response = web.post(
        reverse("customers:vehicle_change_owner", args=[vehicle_a.pk]),
        {"new_owner_mobile": "13622223333", "started_on": "2023-12-31", "version": 1},
    )
    assert errors_of(response) == {"started_on": ["The new owner cannot start before the current owner (2024-01-01)."]}
    assert archive_snapshot() == before


# --- record pages: history and archive completeness ----------------------------------------------------------


def test_customer_page_shows_who_changed_what_and_when(web, advisor_a, customer_a):
    response = web.post(
        reverse("customers:customer_update", args=[customer_a.pk]),
        customer_data(customer_a.dealer, name="张三", mobile="13700000009", address=customer_a.address, version=1),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_detail", args=[customer_a.pk])
    detail = web.get(response["Location"])
    newest, created = detail.context["history"]
    assert (newest.who, newest.action, created.action) == (advisor_a, "changed", "created")
    assert ("mobile", "13800000001", "13700000009") in newest.changes
    assert ("preferred contact channel", "Phone call", "WeChat") in newest.changes
    when = timezone.localtime(Customer.history.filter(id=customer_a.pk).latest("history_date").history_date)
    html = detail.content.decode()
    assert f"<td>{when:%Y-%m-%d %H:%M}</td>" in html
    assert "<td>advisor_a</td>" in html
    assert "<div>mobile: <del>13800000001</del> → <ins>13700000009</ins></div>" in html


def test_vehicle_page_shows_its_change_history(web, advisor_a, vehicle_a):
    response = web.post(
        reverse("customers:vehicle_update", args=[vehicle_a.pk]),
        vehicle_data(vin=vehicle_a.vin, plate="粤A10002", version=1),
    )
    assert response.status_code == 302
    html = web.get(reverse("customers:vehicle_detail", args=[vehicle_a.pk])).content.decode()
    assert "<div>licence plate: <del>粤A10001</del> → <ins>粤A10002</ins></div>" in html
    assert "<td>advisor_a</td>" in html


def test_customer_page_lists_what_the_archive_misses(web, dealer_a):
    customer = CustomerFactory(dealer=dealer_a, address="", consent="unknown")
    response = web.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.context["archive"].missing == ("address", "consent to be contacted", "at least one vehicle")
    html = response.content.decode()
    assert '<span class="badge warn">incomplete</span>' in html
    assert "<p>Missing: address, consent to be contacted, at least one vehicle</p>" in html


def test_customer_page_shows_a_complete_archive(web, dealer_a):
    customer = CustomerFactory(dealer=dealer_a)
    VehicleFactory(owner=customer, purchase_date="2023-01-01", mileage_km=100)
    response = web.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.context["archive"].missing == ()
    html = response.content.decode()
    assert '<span class="badge ok">complete</span>' in html
    assert "Missing:" not in html


def test_vehicle_fields_missing_from_the_archive_are_named(web, dealer_a):
    customer = CustomerFactory(dealer=dealer_a)
    VehicleFactory(owner=customer, plate="", model_name="")
    response = web.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.context["archive"].missing == (
        "vehicle licence plate",
        "vehicle model",
        "vehicle purchase date",
        "vehicle current mileage",
    )


# --- language ------------------------------------------------------------------------------------------------


def test_the_default_language_is_simplified_chinese(advisor_a, dealer_a):
    client = Client()
    client.force_login(advisor_a)
    response = client.get(reverse("customers:customer_list"))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<option value="zh-hans" selected>简体中文</option>' in html
    # Django's own catalogue: a form error in Chinese.
    invalid = client.post(reverse("customers:customer_create"), customer_data(dealer_a, name=""))
    assert invalid.context["form"].errors == {"name": ["该字段是必填项。"]}


def test_our_pages_are_translated_into_chinese(advisor_a):
    client = Client()
    client.force_login(advisor_a)
    html = client.get(reverse("customers:customer_list")).content.decode()
    assert "<title>客户 · 售后服务质量管理系统</title>" in html
    assert '<a href="/" class="">首页</a>' in html
    assert '<a href="/customers/" class="active">客户</a>' in html
    assert "<h1>客户档案</h1>" in html


def test_the_language_can_be_switched_to_english_and_back(advisor_a):
    client = Client()
    client.force_login(advisor_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("customers:customer_list")})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_list")
    html = client.get(reverse("customers:customer_list")).content.decode()
    assert '<html lang="en">' in html
    assert "<title>Customers · AfterSales QMS</title>" in html
    assert '<a href="/customers/" class="active">Customers</a>' in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get(reverse("customers:customer_list")).content.decode()
