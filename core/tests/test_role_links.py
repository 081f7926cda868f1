"""No link a role is shown leads to a refusal: every demo login opens every entry of its navigation and the links
of those pages (one of each kind of page), and none answers 403 or 404. (Navigation and buttons come from the
permission check of the view they open.)"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from accounts.models import User
from core.navigation import nav_for
from core.tests.helpers import login

pytestmark = pytest.mark.django_db

# One login of each kind of the demo: the first dealer's team, a region manager, the OEM login, the administrator.
DEMO_LOGINS = ["admin", "oem"]
SKIPPED_PREFIXES = ("/admin/", "/api/", "/accounts/", "/i18n/", "/static/", "/media/", "/s/")
SKIPPED_ENDINGS = (".xlsx", ".pdf", ".csv", ".png", ".jpg", "/print/")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')


def _demo_logins() -> list[str]:
    users = list(User.objects.filter(is_active=True).order_by("username").values_list("username", flat=True))
    chosen = [name for name in DEMO_LOGINS if name in users]
    chosen += [name for name in users if name.endswith("1") and not name.startswith("region_")]
    chosen += [name for name in users if name.startswith("region_")][:1]
    return chosen


def _page_kind(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = unescape(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_ENDINGS):
            continue
        found.append(url)
    return found


def refusals_of(username: str) -> list[str]:
    """The links this login is shown that answer 403/404 (as 'status url (on page)')."""
    user = User.objects.get(username=username)
    client = login(user)
    refused, seen_kinds = [], set()
    nav = [item["url"] for item in nav_for(user) if not item["url"].startswith(SKIPPED_PREFIXES)]
    pages = [("/", "start")] + [(url, "navigation") for url in nav]
    main_pages = []
    for url, where in pages:
        response = client.get(url)
        if response.status_code in (403, 404):
            refused.append(f"{response.status_code} {url} ({where})")
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            main_pages.append((url, response.content.decode()))
        seen_kinds.add(_page_kind(urlsplit(url).path))
    for page_url, html in main_pages:
        for url in _links(html):
            kind = _page_kind(urlsplit(url).path)
            if kind is None:
                refused.append(f"404 {url} (no such page, on {page_url})")
                continue
            if kind in seen_kinds:
                continue
            seen_kinds.add(kind)
            status = client.get(url).status_code
            if status in (403, 404):
                refused.append(f"{status} {url} (on {page_url})")
    return refused


def test_no_role_is_shown_a_link_it_may_not_open(demo_dataset):
    logins = _demo_logins()
    assert len(logins) >= 10, logins
    refused = {username: refusals_of(username) for username in logins}
    assert {name: found for name, found in refused.items() if found} == {}


def test_managers_notes_are_worded_by_their_scope(demo_dataset):
    """A region manager's ranking note does not say "only your dealer"; the OEM login's home does not say "this
    region" (Chinese, the default language)."""
    from evaluation.models import EvaluationRun

    region = User.objects.filter(username__startswith="region_").order_by("username").first()
    run = EvaluationRun.objects.filter(status="done").order_by("-pk").first()
    html = login(region, language=None).get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert "您只能看到本店结果" not in html
    if 'id="ranking-scope"' in html:
        assert "you are responsible for" in html or "您负责的" in html
    oem_home = login(User.objects.get(username="oem"), language=None).get("/").content.decode()
    assert "本大区" not in oem_home
