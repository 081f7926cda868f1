"""The change history (core.history) in people's words: field names, choice labels, Yes/No, lists of choices by
their labels, files as "file attached", state-machine moves by their labels — in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.history import history_entries, reason_label, register_reasons
from core.tests.factories import signature_file
from core.tests.helpers import login
from repairs import services
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db


def checked_in(vehicle, advisor):
    """An order whose check-in records documents, the walk-around and the signed belongings, then is completed."""
    order = make_order(vehicle, advisor, status=S.OPEN)
    order = services.repair_order_update_checkin(
        order=order, by=advisor, version=order.version, documents_received=["driving_licence", "service_book"],
        walkaround_done=True, odometer_km=23_500, fuel_level=4, belongings="雨伞", belongings_signed_by="张三",
        belongings_signature=signature_file(), promised_at=order.arrived_at.replace(hour=23),
    )  # fmt: skip
    return services.repair_order_transition(
        order=order, action="check_in", by=advisor, version=order.version, note="客户赶时间"
    )


def changes_of(entries) -> dict[str, tuple[str, str]]:
    return {label: (str(old), str(new)) for entry in entries for label, old, new in entry.changes}


def test_history_shows_labels_not_codes_in_english(vehicle_a, advisor_a):
    order = checked_in(vehicle_a, advisor_a)
    with translation.override("en"):
        entries = history_entries(order)
        changes = changes_of(entries)
        reasons = [entry.reason for entry in entries]

    assert changes["documents received"] == ("", "Vehicle licence (行驶证)、Service book")
    assert changes["walk-around inspection done"] == ("No", "Yes")
    assert changes["customer's signature (belongings)"] == ("", "file attached")
    assert changes["status"] == ("Reception", "Checked in")
    assert reasons[0] == "Complete check-in — 客户赶时间"


def test_history_reads_chinese_by_default(vehicle_a, advisor_a):
    order = checked_in(vehicle_a, advisor_a)
    with translation.override("zh-hans"):
        entries = history_entries(order)
        changes = changes_of(entries)
    assert changes["随车证件"] == ("", "行驶证、保养手册")
    assert entries[0].reason == "完成接车 — 客户赶时间"


def test_the_order_page_history_holds_no_internals(vehicle_a, advisor_a):
    order = checked_in(vehicle_a, advisor_a)
    page = login(advisor_a).get(order.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    for internal in ("check_in", "True", "False", "driving_licence", "['", "ro-signatures/", ".png"):
        assert internal not in history, internal
    assert "Complete check-in — 客户赶时间" in history and "file attached" in history


def test_unregistered_reasons_stay_as_written_and_a_move_without_note_is_its_label(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status=S.OPEN)
    register_reasons("core.test_only", {"x": "X"})  # another model's codes do not leak into this one's
    with translation.override("en"):
        assert reason_label(order, "give_estimate") == "Give estimate to customer"
        assert reason_label(order, "addition approved: 更换刹车油") == "Additional item approved — 更换刹车油"
        assert reason_label(order, "x") == "x"
        assert reason_label(order, "客户要求: 加急") == "客户要求: 加急"
