"""Date boxes keep their value in the Chinese UI: ``<input type="date">`` takes only ISO values (2027-06-03), so
every date field of every form uses core.forms' ISO widgets, and every hand-written date filter box prints its
value with ``|iso_date`` (a zh-hans 2027/06/03 or 2027年6月3日 leaves the box blank)."""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.forms import IsoDateInput, IsoDateTimeInput, IsoMonthInput
from core.tests.factories import UserFactory
from core.tests.helpers import SHANGHAI, login

PROJECT_APPS = [config.name for config in apps.get_app_configs() if (settings.BASE_DIR / config.name).is_dir()]
# The modules that define forms (a views module may hold a small form of its page).
FORM_MODULES = ["forms", "forms.purchasing", "views", "views.runs", "views.measurements"]


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        for module in FORM_MODULES:
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError as exc:
                if not exc.name.startswith(app):
                    raise
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_APPS:
                found.add(sub)
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


def _date_fields() -> list[tuple[str, forms.Field]]:
    fields = []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField) or isinstance(field.widget, forms.DateInput):
                fields.append((f"{form.__module__}.{form.__qualname__}.{name}", field))
    return fields


DATE_FIELDS = _date_fields()


def test_the_project_has_the_date_fields_the_walk_found_blank():
    names = {name.rsplit(".", 1)[1] for name, _field in DATE_FIELDS}
    # next service date at delivery, the letter's date, the purchase order's expected date
    assert {"next_service_due_date", "sent_on", "expected_at"} <= names, names


@pytest.mark.parametrize(("name", "field"), DATE_FIELDS, ids=[name for name, _f in DATE_FIELDS])
def test_every_date_field_renders_an_iso_value_in_chinese(name, field):
    assert isinstance(field.widget, IsoDateInput | IsoDateTimeInput | IsoMonthInput), (
        f"{name} uses {type(field.widget).__name__}: use core.forms.IsoDateInput / IsoDateTimeInput / IsoMonthInput"
    )
    value, expected = {
        IsoDateInput: (date(2027, 6, 3), "2027-06-03"),
        IsoDateTimeInput: (datetime(2027, 6, 3, 9, 30, tzinfo=SHANGHAI), "2027-06-03T09:30"),
        IsoMonthInput: (date(2027, 6, 1), "2027-06"),
    }[type(field.widget)]
    with translation.override("zh-hans"):
        html = field.widget.render("x", value)
    assert f'value="{expected}"' in html
    assert f'type="{field.widget.input_type}"' in html


def test_the_widgets_keep_what_the_user_typed_when_the_form_comes_back():
    with translation.override("zh-hans"):
        assert 'value="2027-06-03"' in IsoDateInput().render("x", "2027-06-03")


def test_iso_date_filter():
    template = Template("{% load isodates %}[{{ a|iso_date }}][{{ b|iso_date }}][{{ c|iso_date }}][{{ d|iso_date }}]")
    with translation.override("zh-hans"):
        html = template.render(
            Context({"a": date(2027, 6, 3), "b": "2027-06-03", "c": "2027/06/03 or rubbish", "d": None})
        )
    assert html == "[2027-06-03][2027-06-03][][]"


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", is_superuser=True, is_staff=True)


# Every page with a hand-written date filter box, with the filter the user sent.
FILTER_PAGES = [
    ("/surveys/results/", {"start": "2026-10-01", "end": "2026-10-31"}),
    ("/surveys/responses/", {"start": "2026-10-01", "end": "2026-10-31"}),
    ("/care/calls/", {"from": "2026-10-01", "to": "2026-10-31"}),
    ("/staff/certificates/", {"start": "2026-10-01", "end": "2026-10-31"}),
    ("/parts/reports/", {"from": "2026-10-01", "to": "2026-10-31"}),
    ("/appointments/list/", {"date_from": "2026-10-01", "date_to": "2026-10-31"}),
    ("/complaints/", {"received_from": "2026-10-01", "received_to": "2026-10-31"}),
    ("/warranty/claims/", {"submitted_from": "2026-10-01", "submitted_to": "2026-10-31"}),
    ("/warranty/claims/report/", {"submitted_from": "2026-10-01", "submitted_to": "2026-10-31"}),
]


@pytest.mark.parametrize(("url", "params"), FILTER_PAGES, ids=[url for url, _p in FILTER_PAGES])
def test_date_filter_boxes_show_the_filtered_dates_in_chinese(boss, url, params):
    response = login(boss, language=None).get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    boxes = re.findall(r'<input type="date" name="([^"]+)" value="([^"]*)"', html)
    assert boxes, url
    for name, value in boxes:
        assert value == params[name], (url, name, value)


def test_the_appointment_day_box_shows_the_day_in_chinese(advisor_a):
    html = login(advisor_a, language=None).get("/appointments/", {"date": "2026-10-31"}).content.decode()
    assert '<input type="date" name="date" value="2026-10-31"' in html
