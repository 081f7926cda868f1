"""The state-machine kit (core.state): the table, can/available, the checks and their messages, the event row.

The machine under test moves to-do tasks (a real model with a status, a dealer and who/when fields), so the
kit's own event row (core.TransitionEvent) is written and read back; no domain's machine is involved.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.models import TransitionEvent
from core.state import Move, StateMachine, Transition, TransitionError, transition_events
from core.tests.factories import UserFactory
from todo.choices import TaskKind, TaskStatus
from todo.models import Task


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


S = TaskStatus
CHANGE = "todo.change_task"
ADD = "todo.add_task"


def _due(task, note: str) -> list[str]:
    return [] if task.due_at <= timezone.now() else ["Not due yet."]


def _outcome(task, note: str) -> list[str]:
    return [] if task.outcome or note else ["Say what came of it.", "Or give a note."]


REFUSED = _("“%(action)s” is not possible while the task is “%(status)s”.")


def machine(refused=REFUSED, **options) -> StateMachine:
    return StateMachine(
        [
            Transition(
                "finish", _("Finish"), {S.OPEN}, S.DONE, CHANGE, stamp="done_at", stamp_by="done_by", guards=(_outcome,)
            ),
            Transition(
                "cancel",
                _("Cancel"),
                [S.OPEN],
                S.CANCELLED,
                CHANGE,
                note_required=True,
                note_label=_("Cancel reason"),
                refused=_("Only an open task is cancelled, not “%(status)s”."),
            ),
            Transition("give_up", _("Give up"), {S.OPEN}, S.UNREACHABLE, (CHANGE, ADD), denied=_("Not you.")),
            Transition("chase", _("Chase"), {S.OPEN}, None, CHANGE, guards=(_due,), offer_when_ready=True),
            Transition("reopen", _("Reopen"), {S.DONE, S.CANCELLED}, S.OPEN, offered=False, event="reopened"),
        ],
        statuses=S,
        refused=refused,
        **options,
    )


TASKS = machine()


def record(status=S.OPEN, **fields):
    return SimpleNamespace(**{"status": status, "due_at": timezone.now() - timedelta(hours=1), "outcome": "", **fields})


@pytest.fixture
def clerk(dealer_a):
    """A user holding todo.change_task only (neither todo.add_task nor anything else of the to-do list)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(dealers=[dealer_a])
    user.user_permissions.add(Permission.objects.get(codename="change_task"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def task(dealer_a):
    return Task.objects.create(
        dealer=dealer_a, kind=TaskKind.OTHER, title="Call back", due_at=timezone.now() - timedelta(hours=1),
        role=Role.SERVICE_ADVISOR,
    )  # fmt: skip


# --- the table ---------------------------------------------------------------------------------------------------


def test_the_table_keeps_its_order_and_normalises_sources():
    assert [t.action for t in TASKS] == ["finish", "cancel", "give_up", "chase", "reopen"]
    assert TASKS["cancel"].sources == frozenset({S.OPEN})
    assert isinstance(TASKS["finish"].guards, tuple)
    assert TASKS["finish"].permissions == (CHANGE,)
    assert TASKS["give_up"].permissions == (CHANGE, ADD)
    assert TASKS["reopen"].permissions == ()
    assert "finish" in TASKS and "teleport" not in TASKS


def test_a_table_naming_an_unknown_status_is_refused_when_declared():
    with pytest.raises(ValueError, match="lost"):
        StateMachine([Transition("lose", "Lose", {S.OPEN}, "lost")], statuses=S, refused="x")
    with pytest.raises(ValueError, match="nowhere"):
        StateMachine([Transition("lose", "Lose", {"nowhere"}, S.DONE)], statuses=S, refused="x")


# --- can / available_actions -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_can_asks_the_status_and_the_permissions(clerk):
    assert TASKS.can(record(), "finish", clerk) is True
    assert TASKS.can(record(S.DONE), "finish", clerk) is False
    assert TASKS.can(record(), "give_up", clerk) is False  # needs todo.add_task too
    assert TASKS.can(record(), "teleport", clerk) is False
    nobody = UserFactory()
    assert TASKS.can(record(), "finish", nobody) is False
    # Without a user: the status alone (what a service asks before an automatic move).
    assert TASKS.can(record(), "give_up") is True


@pytest.mark.django_db
def test_guards_are_checked_when_tried_except_for_a_move_offered_only_when_ready(clerk):
    assert TASKS.can(record(), "finish", clerk) is True  # its guard speaks when it is tried
    not_due = record(due_at=timezone.now() + timedelta(hours=1))
    assert TASKS.can(not_due, "chase", clerk) is False
    assert TASKS.can(record(), "chase", clerk) is True


@pytest.mark.django_db
def test_a_system_move_is_never_offered_to_a_user(clerk):
    superuser = UserFactory(is_superuser=True)
    assert TASKS.can(record(S.DONE), "reopen", superuser) is False
    assert TASKS.can(record(S.DONE), "reopen") is True
    assert TASKS.offered_from(S.DONE) == []
    assert [t.action for t in TASKS.offered_from(S.OPEN)] == ["finish", "cancel", "give_up", "chase"]


@pytest.mark.django_db
def test_available_actions_in_the_table_order(clerk):
    assert [t.action for t in TASKS.available_actions(record(), clerk)] == ["finish", "cancel", "chase"]
    assert [t.action for t in TASKS.available_actions(record(S.DONE), clerk)] == []
    superuser = UserFactory(is_superuser=True)
    assert [t.action for t in TASKS.available_actions(record(), superuser)] == ["finish", "cancel", "give_up", "chase"]


def test_leading_to_finds_the_offered_move_to_a_status():
    assert TASKS.leading_to(record(), S.CANCELLED).action == "cancel"
    assert TASKS.leading_to(record(S.DONE), S.OPEN) is None  # reopen is the system's
    assert TASKS.leading_to(record(), S.OPEN) is None


# --- check: the reasons and their messages ---------------------------------------------------------------------


def refusal(call) -> dict | list:
    with pytest.raises(TransitionError) as error:
        call()
    return error.value.message_dict if hasattr(error.value, "error_dict") else error.value.messages


def test_an_unknown_action_is_refused():
    assert refusal(lambda: TASKS.check(record(), "teleport")) == {"action": ["Unknown action “teleport”."]}


def test_a_wrong_source_says_which_move_and_which_status():
    assert refusal(lambda: TASKS.check(record(S.DONE), "finish")) == {
        "action": ["“Finish” is not possible while the task is “Done”."]
    }
    # A move's own message replaces the machine's.
    assert refusal(lambda: TASKS.check(record(S.DONE), "cancel")) == {
        "action": ["Only an open task is cancelled, not “Done”."]
    }


def test_a_refusal_may_name_the_status_it_leaves_and_the_one_it_would_reach():
    machine_ = machine(refused=_("Cannot go from %(from)s to %(to)s."), error_field="status")
    assert refusal(lambda: machine_.check(record(S.CANCELLED), "finish")) == {
        "status": ["Cannot go from Cancelled to Done."]
    }
    assert refusal(lambda: machine_.check(record(S.DONE), "chase")) == {"status": ["Cannot go from Done to Done."]}


def test_errors_of_the_whole_form_without_an_error_field():
    machine_ = machine(error_field=None)
    assert refusal(lambda: machine_.check(record(S.DONE), "finish")) == [
        "“Finish” is not possible while the task is “Done”."
    ]
    assert refusal(lambda: machine_.check(record(), "finish")) == ["Say what came of it.", "Or give a note."]


@pytest.mark.django_db
def test_the_permission_is_checked_when_a_user_is_given(clerk):
    with pytest.raises(PermissionDenied) as error:
        TASKS.check(record(), "give_up", user=clerk)
    assert str(error.value) == "Not you."
    with pytest.raises(PermissionDenied) as error:
        TASKS.check(record(), "finish", user=UserFactory(), note="done")
    assert str(error.value) == "Your role may not do “Finish”."
    assert TASKS.require_permission(clerk, "finish") is TASKS["finish"]


@pytest.mark.django_db
def test_the_status_is_checked_before_the_permission(clerk):
    assert refusal(lambda: TASKS.check(record(S.DONE), "give_up", user=clerk)) == {
        "action": ["“Give up” is not possible while the task is “Done”."]
    }


def test_the_note_when_one_is_given():
    assert refusal(lambda: TASKS.check(record(), "cancel", note="  ")) == {"note": ["Cancel reason is required."]}
    assert refusal(lambda: TASKS.check(record(), "finish", note="x" * 501)) == {
        "note": ["Keep the note within 500 characters."]
    }
    assert TASKS.check(record(), "cancel", note="customer sold the car").action == "cancel"
    short = machine(note_max_length=10)
    assert refusal(lambda: short.check(record(), "cancel", note="x" * 11)) == {
        "note": ["Keep the note within 10 characters."]
    }


def test_every_guard_problem_is_reported_and_a_note_can_satisfy_a_guard():
    assert refusal(lambda: TASKS.check(record(), "finish")) == {"action": ["Say what came of it.", "Or give a note."]}
    assert TASKS.problems(record(), "finish", "reached the customer") == []
    assert TASKS.check(record(), "finish", note="reached the customer").target == S.DONE
    assert TASKS.check(record(outcome="booked"), "finish").target == S.DONE


# --- apply: the move and its event row -------------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_sets_the_status_and_the_stamps_and_writes_the_event_row(task, clerk, dealer_a):
    at = timezone.now() - timedelta(minutes=5)
    TASKS.check(task, "finish", user=clerk, note=" reached ")
    move = TASKS.apply(task, "finish", by=clerk, at=at, note=" reached ")
    task.save()
    assert (move.from_status, move.to_status, move.note, move.action) == (S.OPEN, S.DONE, "reached", "finish")
    task.refresh_from_db()
    assert (task.status, task.done_at, task.done_by) == (S.DONE, at, clerk)
    event = TransitionEvent.objects.get()
    assert (event.content_type, event.object_id, event.record, event.dealer) == (
        ContentType.objects.get_for_model(Task),
        task.pk,
        task,
        dealer_a,
    )
    assert (event.action, event.from_status, event.to_status, event.by, event.at, event.note) == (
        "finish",
        S.OPEN,
        S.DONE,
        clerk,
        at,
        "reached",
    )
    assert list(transition_events(task)) == [event]
    assert list(TransitionEvent.objects.for_user(clerk)) == [event]


@pytest.mark.django_db
def test_a_move_within_a_status_and_a_system_move_keep_their_event_too(task, clerk):
    TASKS.apply(task, "chase", by=clerk, note="left a message")
    assert task.status == S.OPEN
    task.status = S.DONE
    TASKS.apply(task, "reopen", by=None)  # the system: no user; the row names the event's action
    rows = list(transition_events(task).values_list("action", "from_status", "to_status", "by", "note"))
    assert rows == [("chase", S.OPEN, S.OPEN, clerk.pk, "left a message"), ("reopened", S.DONE, S.OPEN, None, "")]


@pytest.mark.django_db
def test_a_target_given_by_the_service_replaces_the_table_s(task, clerk):
    move = TASKS.apply(task, "finish", by=clerk, target=S.UNREACHABLE)
    assert (task.status, move.to_status) == (S.UNREACHABLE, S.UNREACHABLE)
    task.status = S.DONE
    with pytest.raises(ValueError):
        TASKS.apply(task, "reopen", by=clerk, target="lost")
    assert task.status == S.DONE


@pytest.mark.django_db
def test_a_domain_event_model_replaces_the_kit_s_row(task, clerk):
    written: list[Move] = []
    own = machine(record_event=written.append)
    own.apply(task, "finish", by=clerk, note="done")
    assert [(m.record, m.action, m.from_status, m.to_status, m.by) for m in written] == [
        (task, "finish", S.OPEN, S.DONE, clerk)
    ]
    assert not TransitionEvent.objects.exists()


@pytest.mark.django_db
def test_the_dealer_of_the_event_row_can_be_looked_up_elsewhere(task, clerk, dealer_b):
    elsewhere = machine(dealer_of=lambda record: dealer_b.pk)
    elsewhere.apply(task, "finish", by=clerk)
    assert TransitionEvent.objects.get().dealer == dealer_b


@pytest.mark.django_db
def test_a_wrong_source_is_refused_and_nothing_changes(task, clerk):
    task.status = S.DONE
    task.save()

    @transaction.atomic
    def finish_again():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        TASKS.apply(locked, "finish", by=clerk)  # apply re-checks the source if a caller did not
        locked.save()

    assert refusal(finish_again) == {"action": ["“Finish” is not possible while the task is “Done”."]}
    task.refresh_from_db()
    assert (task.status, task.done_at, task.done_by) == (S.DONE, None, None)
    assert not TransitionEvent.objects.exists()
