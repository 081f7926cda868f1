"""Repairs reaches the domains above it through settings.REPAIRS_HOOKS, called in their declared order."""

from django.conf import settings
from django.test import override_settings

from repairs import hooks

CALLS = []


def first_hook(**kwargs):
    CALLS.append(("first", kwargs))
    return {1}


def second_hook(**kwargs):
    CALLS.append(("second", kwargs))
    return {2}


def test_run_calls_each_hook_in_the_declared_order_and_returns_their_results():
    CALLS.clear()
    order = [f"{__name__}.second_hook", f"{__name__}.first_hook"]
    with override_settings(REPAIRS_HOOKS={**settings.REPAIRS_HOOKS, "delivered": order}):
        assert hooks.run("delivered", order="RO-1", by="advisor") == [{2}, {1}]
    assert CALLS == [("second", {"order": "RO-1", "by": "advisor"}), ("first", {"order": "RO-1", "by": "advisor"})]


def test_delivery_schedules_the_first_follow_up_before_the_survey_invitation():
    assert settings.REPAIRS_HOOKS["delivered"] == [
        "care.services.schedule_first_follow_up",
        "surveys.services.survey_invite_after_delivery",
    ]
    assert settings.REPAIRS_HOOKS["approved"] == ["parts.services.stock.repair_order_request_parts"]
    assert hooks.check_hooks() == []


def test_the_check_names_a_missing_event_and_a_hook_that_does_not_import():
    complete = {event: [] for event in hooks.EVENTS if event != "uncertified_technicians"}
    with override_settings(REPAIRS_HOOKS={**complete, "approved": ["parts.services.stock.no_such_hook"]}):
        errors = hooks.check_hooks()
    assert [error.id for error in errors] == ["repairs.E001", "repairs.E002"]
    assert "'uncertified_technicians'" in errors[0].msg
    assert "no_such_hook" in errors[1].msg
