"""The generic API tests, run on every API endpoint the apps declare (core/tests/api_kit.py says what is checked).

Every route under /api/v1/ is either declared by its app (``<app>/tests/api_resources.py``: ``RESOURCES``) or
listed there in ``NOT_COVERED`` with the reason; a new endpoint without either fails the first test.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core.tests.api_kit import NO_PERMISSION, ApiResource, conflict, listed_ids, offered_methods, viewer
from core.tests.factories import UserFactory
from core.tests.helpers import snapshot

API_PREFIX = "api/v1/"


def declarations() -> tuple[list[ApiResource], dict[str, str]]:
    """Every app's declared resources and the endpoints it says the kit does not cover (basename: why)."""
    resources: list[ApiResource] = []
    not_covered: dict[str, str] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.api_resources"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, f"{config.name}.tests"):
                continue
            raise
        resources.extend(module.RESOURCES)
        not_covered.update(getattr(module, "NOT_COVERED", {}))
    return resources, not_covered


RESOURCES, NOT_COVERED = declarations()
DETAIL = [r for r in RESOURCES if r.detail]
SCOPED_DETAIL = [r for r in DETAIL if r.scoped]
CREATE = [r for r in RESOURCES if r.writable]
UPDATE = [r for r in RESOURCES if r.updatable]


def every_resource(resources):
    return pytest.mark.parametrize("resource", resources, ids=str)


@pytest.fixture(autouse=True)
def resource_clock(request, monkeypatch):
    """Freeze timezone.now at the resource's moment, where its rules need one."""
    resource = request.getfixturevalue("resource") if "resource" in request.fixturenames else None
    if resource is not None and resource.clock is not None:
        monkeypatch.setattr(timezone, "now", lambda: resource.clock)


def api_route_names() -> set[str]:
    """The names of every route under /api/v1/."""
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name and route.startswith(API_PREFIX):
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_api_route_is_declared_or_says_why_not():
    declared = {r.basename for r in RESOURCES}
    assert len(declared) == len(RESOURCES), "a basename is declared twice"
    assert not declared & set(NOT_COVERED)
    known = declared | set(NOT_COVERED)
    names = api_route_names()
    # A resource's own routes: its list and detail, and its actions (basename-<action>), covered by the app's tests.
    uncovered = {
        name for name in names if name not in known and not any(name.startswith(f"{basename}-") for basename in known)
    }
    assert uncovered == set()
    assert {name.removesuffix("-list") for name in names if name.endswith("-list")} <= known
    assert declared <= {name.rsplit("-", 1)[0] for name in names if name.endswith(("-list", "-detail"))}
    assert all(reason.strip() for reason in NOT_COVERED.values())


# --- read -------------------------------------------------------------------------------------------------------


@every_resource(RESOURCES)
def test_the_list_is_exactly_the_rows_of_the_users_dealers(resource, api_en, dealer_a, dealer_b):
    api = api_en(resource.reader(dealer_a))
    url = resource.list_url()
    already = set(listed_ids(api.get(url, resource.list_params).json(), resource.id_field))  # e.g. shared templates
    mine = {resource.make(dealer_a).pk, resource.make(dealer_a).pk}
    theirs = resource.make(resource.other_dealer(dealer_b)).pk
    response = api.get(url, resource.list_params)
    assert response.status_code == 200, response.content
    body = response.json()
    listed = listed_ids(body, resource.id_field)
    expected = already | mine | (set() if resource.scoped else {theirs})
    assert sorted(listed) == sorted(expected)
    if isinstance(body, dict):
        assert body["count"] == len(expected)


@every_resource(DETAIL)
def test_a_row_reads_back_by_its_id(resource, api_en, dealer_a):
    row = resource.make(dealer_a)
    response = api_en(resource.reader(dealer_a)).get(resource.detail_url(row))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == row.pk


@every_resource(SCOPED_DETAIL)
def test_a_row_of_another_dealer_is_404(resource, api_en, dealer_a, dealer_b):
    row = resource.make(resource.other_dealer(dealer_b))
    response = api_en(resource.reader(dealer_a)).get(resource.detail_url(row))
    assert (response.status_code, set(response.json())) == (404, {"detail"})


@every_resource(RESOURCES)
def test_reading_without_the_view_permission_is_403(resource, api_en, dealer_a):
    urls = [resource.list_url()]
    if resource.detail:
        urls.append(resource.detail_url(resource.make(dealer_a)))
    api = api_en(UserFactory(dealers=[dealer_a]))  # works for dealer A, holds no role
    for url in urls:
        response = api.get(url, resource.list_params)
        assert (response.status_code, response.json()) == (403, NO_PERMISSION), url


@every_resource(RESOURCES)
def test_an_anonymous_request_is_401(resource):
    api = APIClient()
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = api.get(resource.list_url(), resource.list_params)
    assert (response.status_code, response.json()) == (401, {"detail": "Authentication credentials were not provided."})


@every_resource(RESOURCES)
def test_methods_the_endpoint_does_not_offer_are_405_and_change_nothing(resource, api_en, dealer_a):
    urls = [resource.list_url()]
    if resource.detail:
        urls.append(resource.detail_url(resource.make(dealer_a)))
    api = api_en(UserFactory(username="kit_root", is_superuser=True, dealers=[dealer_a]))  # every permission
    before = snapshot(*resource.tables())
    for url in urls:
        for method in sorted({"post", "put", "patch", "delete"} - offered_methods(url)):
            response = getattr(api, method)(url, {}, format="json")
            assert response.status_code == 405, (method, url)
    assert snapshot(*resource.tables()) == before


# --- create -----------------------------------------------------------------------------------------------------


@every_resource(CREATE)
def test_create_at_the_users_dealer(resource, api_en, dealer_a):
    payload = resource.create(dealer_a)
    user = resource.writer(dealer_a)
    table = resource.table
    count = table.objects.count()
    response = api_en(user).post(resource.list_url(), payload, format="json")
    assert response.status_code == 201, response.content
    assert table.objects.count() == count + 1
    row = table.objects.get(pk=response.json()["id"])
    assert resource.in_dealer(row, dealer_a)
    if resource.versioned:
        assert row.version == 1
        assert response.json().get("version", 1) == 1
    if resource.check_created:
        resource.check_created(row, payload, user)


@every_resource(CREATE)
def test_create_without_the_permission_is_403_and_creates_nothing(resource, api_en, dealer_a):
    payload = resource.create(dealer_a)
    reader_only = viewer(dealer_a, resource.view_permission)
    before = snapshot(*resource.tables())
    response = api_en(reader_only).post(resource.list_url(), payload, format="json")
    assert response.status_code == 403, response.content
    assert snapshot(*resource.tables()) == before


@every_resource(CREATE)
def test_create_at_another_dealer_is_refused_and_creates_nothing(resource, api_en, dealer_a, dealer_b):
    payload = resource.create(resource.other_dealer(dealer_b))
    api = api_en(resource.writer(dealer_a))
    before = snapshot(*resource.tables())
    response = api.post(resource.list_url(), payload, format="json")
    assert response.status_code == resource.foreign_create_status, response.content
    if resource.dealer_field:
        assert resource.dealer_field in response.json()
    assert snapshot(*resource.tables()) == before


# --- update -----------------------------------------------------------------------------------------------------


def changes_of(resource: ApiResource, row) -> tuple[str, dict]:
    """The first update the resource offers: (method, body without the version)."""
    return ("patch", resource.patch(row)) if resource.patch else ("put", resource.put(row))


def stored(row):
    return type(row).objects.get(pk=row.pk)


@every_resource(UPDATE)
def test_an_update_is_saved_and_bumps_the_version(resource, api_en, dealer_a):
    row = resource.make(dealer_a)
    api = api_en(resource.writer(dealer_a))
    version = stored(row).version
    for method, change in (("patch", resource.patch), ("put", resource.put)):
        if change is None:
            continue
        body = change(row)
        response = getattr(api, method)(resource.detail_url(row), {**body, "version": version}, format="json")
        assert response.status_code == 200, (method, response.content)
        saved = stored(row)
        assert saved.version == version + 1
        assert response.json()["version"] == version + 1
        assert {name: response.json()[name] for name in body} == body
        assert {name: str(saved.serializable_value(name)) for name in body} == {k: str(v) for k, v in body.items()}
        version = saved.version


@every_resource(UPDATE)
def test_an_update_with_a_stale_version_is_409_and_changes_nothing(resource, api_en, dealer_a):
    row = resource.make(dealer_a)
    api = api_en(resource.writer(dealer_a))
    method, body = changes_of(resource, row)
    version = stored(row).version
    first = getattr(api, method)(resource.detail_url(row), {**body, "version": version}, format="json")
    assert first.status_code == 200, first.content
    before = snapshot(*resource.tables())
    response = getattr(api, method)(resource.detail_url(row), {**body, "version": version}, format="json")
    assert (response.status_code, response.json()) == (409, conflict(version, version + 1))
    assert snapshot(*resource.tables()) == before


@every_resource(UPDATE)
def test_an_update_without_the_version_is_400_and_changes_nothing(resource, api_en, dealer_a):
    row = resource.make(dealer_a)
    method, body = changes_of(resource, row)
    before = snapshot(*resource.tables())
    response = getattr(api_en(resource.writer(dealer_a)), method)(resource.detail_url(row), body, format="json")
    assert (response.status_code, list(response.json())) == (400, ["version"])
    assert snapshot(*resource.tables()) == before


@every_resource(UPDATE)
def test_an_update_without_the_permission_is_403_and_changes_nothing(resource, api_en, dealer_a):
    row = resource.make(dealer_a)
    api = api_en(viewer(dealer_a, resource.view_permission))
    before = snapshot(*resource.tables())
    for method, change in (("patch", resource.patch), ("put", resource.put)):
        if change is not None:
            data = {**change(row), "version": stored(row).version}
            response = getattr(api, method)(resource.detail_url(row), data, format="json")
            assert response.status_code == 403, (method, response.content)
    assert snapshot(*resource.tables()) == before


@every_resource(UPDATE)
def test_an_update_of_another_dealers_row_is_404_and_changes_nothing(resource, api_en, dealer_a, dealer_b):
    row = resource.make(resource.other_dealer(dealer_b))
    api = api_en(resource.writer(dealer_a))
    before = snapshot(*resource.tables())
    for method, change in (("patch", resource.patch), ("put", resource.put)):
        if change is not None:
            data = {**change(row), "version": stored(row).version}
            response = getattr(api, method)(resource.detail_url(row), data, format="json")
            assert response.status_code == 404, (method, response.content)
    assert snapshot(*resource.tables()) == before
