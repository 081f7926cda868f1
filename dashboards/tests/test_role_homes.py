"""The home page per role (``dashboards.views.ROLE_HOMES``): each desk role lands on the page it starts its day with,
a user with several roles on the first of the priority order, and nobody on a page they may not open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.demo import DEALER_TEAM
from core.tests.factories import UserFactory
from core.tests.helpers import login

pytestmark = pytest.mark.django_db

HOME_TEMPLATES = {
    Role.SERVICE_MANAGER: "dashboards/cockpit.html",
    Role.SERVICE_ADVISOR: "dashboards/home.html",  # the general home page with the desk's shortcuts
    Role.FOREMAN: "repairs/workshop_board.html",
    Role.QC_INSPECTOR: "repairs/qc_queue.html",
    Role.TECHNICIAN: "repairs/my_jobs.html",
    Role.PARTS_CLERK: "parts/counter.html",
    Role.FOLLOWUP_SPECIALIST: "care/followup_list.html",
}


def home_template(user) -> str:
    """The page template the home page rendered for ``user`` (the first non-include template)."""
    response = login(user).get(reverse("dashboards:home"))
    assert response.status_code == 200
    return next(t.name for t in response.templates if not t.name.rsplit("/", 1)[-1].startswith("_"))


def test_every_demo_dealer_role_has_its_home_here():
    assert {role for role, _prefix, _names in DEALER_TEAM} <= set(HOME_TEMPLATES) | {Role.CASHIER}


@pytest.mark.parametrize("role", list(HOME_TEMPLATES))
def test_each_demo_login_role_lands_on_its_page(role, dealer_a):
    user = UserFactory(roles=[role], dealers=[dealer_a])
    assert home_template(user) == HOME_TEMPLATES[role]


def test_region_managers_land_on_the_network_view(region_manager):
    assert home_template(region_manager) == "dashboards/network.html"


@pytest.mark.parametrize(
    ("roles", "home"),
    [
        ([Role.TECHNICIAN, Role.FOREMAN], "repairs/workshop_board.html"),  # who directs the workshop first
        ([Role.TECHNICIAN, Role.QC_INSPECTOR], "repairs/qc_queue.html"),  # a car waiting for QC holds up delivery
        ([Role.FOREMAN, Role.SERVICE_MANAGER], "dashboards/cockpit.html"),  # who runs the dealer first
        ([Role.PARTS_CLERK, Role.TECHNICIAN], "repairs/my_jobs.html"),
        ([Role.SERVICE_ADVISOR, Role.FOLLOWUP_SPECIALIST], "care/followup_list.html"),  # the desk has no own page
        ([Role.FOLLOWUP_SPECIALIST, Role.PARTS_CLERK], "parts/counter.html"),
    ],
)
def test_several_roles_get_the_first_home_of_the_priority_order(roles, home, dealer_a):
    assert home_template(UserFactory(roles=roles, dealers=[dealer_a])) == home


def test_a_home_is_only_a_page_the_user_may_open(dealer_a):
    # The administrator and a user without a role keep the general home page; so does a superuser without roles.
    assert home_template(UserFactory(roles=[Role.ADMINISTRATOR], dealers=[dealer_a])) == "dashboards/home.html"
    assert home_template(UserFactory(roles=[], dealers=[dealer_a])) == "dashboards/home.html"
    assert home_template(UserFactory(is_superuser=True)) == "dashboards/home.html"


def test_the_technicians_home_works_like_my_jobs(dealer_a):
    # The forms of the page rendered at / come back to / (the role's home), and the page is the same as /my-jobs/.
    tech = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    client = login(tech)
    home = client.get(reverse("dashboards:home")).content.decode()
    jobs = client.get(reverse("repairs:my_jobs")).content.decode()
    assert "No job dispatched to you right now." in home and "No job dispatched to you right now." in jobs
