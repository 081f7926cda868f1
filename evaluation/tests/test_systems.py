"""Indicator systems: the shipped defaults, AHP storage and refusal, versioning and publish rules, scope."""

import math

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.services import ConflictError
from core.tests.helpers import raises_because
from evaluation import maths
from evaluation.choices import SystemVersionStatus
from evaluation.defaults import INDICATORS, MATRICES, full_matrix, load_audit_template, load_default_system
from evaluation.models import IndicatorSystem, PairwiseMatrix, SystemVersion
from evaluation.selectors import systems as system_selectors
from evaluation.services import systems as system_services

pytestmark = pytest.mark.django_db

# Global weights (dimension weight × weight in the dimension) of the shipped default, to 4 decimals.
EXPECTED_GLOBAL = {
    "A1": 0.0261, "A2": 0.0487, "A3": 0.0141, "A4": 0.0261,
    "B1": 0.0640, "B2": 0.0360, "B3": 0.0201, "B4": 0.0201, "B5": 0.0640,
    "C1": 0.0404, "C2": 0.0404, "C3": 0.0125, "C4": 0.0217,
    "D1": 0.0156, "D2": 0.0298, "D3": 0.0298, "D4": 0.0156, "D5": 0.0086, "D6": 0.0156,
    "E1": 0.1402, "E2": 0.0630, "E3": 0.0630, "E4": 0.0572,
    "F1": 0.0478, "F2": 0.0159, "G": 0.0637,
}  # fmt: skip


def test_shipped_matrices_are_consistent_and_weights_sum_to_one(default_version):
    matrices = list(default_version.matrices.all())
    assert len(matrices) == 8  # the dimensions + one per dimension A–G
    for matrix in matrices:
        result = maths.ahp(matrix.matrix)
        assert result.cr < 0.10, matrix
        assert matrix.cr == pytest.approx(result.cr)
        assert matrix.weights == pytest.approx(list(result.weights))
        assert math.isclose(sum(matrix.weights), 1.0, abs_tol=1e-9)
    for level, upper in MATRICES.items():
        n = int((1 + math.isqrt(1 + 8 * len(upper))) / 2)
        assert maths.ahp(full_matrix(n, upper)).consistent, level
    assert system_services.publish_problems(default_version) == []


def test_default_global_weights(default_version):
    weights = system_selectors.ahp_weights(default_version)
    assert list(weights.global_) == [row[1] for row in INDICATORS]
    assert {code: round(w, 4) for code, w in weights.global_.items()} == EXPECTED_GLOBAL
    assert sum(weights.global_.values()) == pytest.approx(1.0)
    assert weights.dimension["E"] == pytest.approx(0.3233, abs=1e-4)
    assert weights.hierarchy_cr < 0.10


def test_default_loaders_are_idempotent(default_version):
    from django.apps import apps

    assert load_default_system(apps) is False
    assert load_audit_template(apps) is False
    assert IndicatorSystem.objects.filter(oem__isnull=True).count() == 1


def test_default_indicators_match_the_catalogue(default_version):
    b1 = default_version.dimensions.get(code="B").indicators.get(code="B1")
    assert (b1.direction, b1.target, b1.floor, b1.unit) == ("higher", 97, 85, "%")
    a1 = default_version.dimensions.get(code="A").indicators.get(code="A1")
    assert (a1.direction, a1.target, a1.floor) == ("lower", 10, 30)
    assert a1.score(10) == 100 and a1.score(30) == 0 and a1.score(20) == 50 and a1.score(None) is None
    assert default_version.dimensions.get(code="G").source == "audited"


def test_grades_and_stars(default_version):
    v = default_version
    assert [v.grade_for(s) for s in (95, 90, 89.9, 80, 60, 59.9)] == ["优", "优", "良", "良", "中", "差"]
    assert [v.stars_for(s) for s in (96, 95, 94, 90, 85, 80, 75, 70, 69.9)] == [5, 5, 4, 4, 3, 3, 0, 0, -1]
    assert v.fuzzy_grade_scores == (95, 85, 75, 60)


# --- the hand-built inconsistent matrix ---------------------------------------------------------------------------

# Consistent with w = 8:4:2:1 except a_14, entered as 1/8 instead of 8.
BAD_UPPER = ["2", "4", "1/8", "2", "4", "2"]


def test_most_inconsistent_pair_is_exact_on_a_hand_built_matrix():
    check = system_services.matrix_check(["P", "Q", "R", "S"], BAD_UPPER)
    a = np.array(check.matrix)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lambda_max = float(values.real[k])
    assert check.result.cr == pytest.approx((lambda_max - 4) / 3 / 0.90)
    assert check.result.cr >= 0.10
    deviations = {(i, j): abs(math.log(a[i, j] * w[j] / w[i])) for i in range(4) for j in range(i + 1, 4)}
    worst = max(deviations, key=deviations.get)
    assert worst == (0, 3)
    assert check.pair_codes() == ("P", "S")
    assert check.pair.deviation == pytest.approx(deviations[worst])
    assert check.pair.implied == pytest.approx(w[0] / w[3])


def _draft(default_version, user):
    return system_services.system_version_copy(system_version=default_version, by=user)


def test_inconsistent_matrix_is_refused_with_cr_and_pair(default_version, superuser):
    draft = _draft(default_version, superuser)
    matrix = draft.matrices.get(dimension__code="A")
    before = (matrix.matrix, matrix.cr, matrix.version)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        system_services.pairwise_matrix_save(matrix=matrix, upper=BAD_UPPER, by=superuser, version=matrix.version)
    message = info.value.message_dict["matrix"][0]
    cr = system_services.matrix_check(list(matrix.elements), BAD_UPPER).result.cr
    assert f"CR = {cr:.3f}" in message
    assert "A1 Reception wait vs A4 Appointment on-time reception" in message  # the names in the reader's language
    matrix.refresh_from_db()
    assert (matrix.matrix, matrix.cr, matrix.version) == before


def test_consistent_matrix_is_stored_with_its_results(default_version, superuser):
    draft = _draft(default_version, superuser)
    matrix = draft.matrices.get(dimension__code="A")
    upper = ["1", "3", "2", "3", "2", "1/2"]
    system_services.pairwise_matrix_save(matrix=matrix, upper=upper, by=superuser, version=matrix.version)
    matrix.refresh_from_db()
    result = maths.ahp(full_matrix(4, upper))
    assert matrix.weights == pytest.approx(list(result.weights))
    assert (matrix.lambda_max, matrix.ci, matrix.cr) == pytest.approx((result.lambda_max, result.ci, result.cr))
    assert matrix.upper[(1, 3)] == "2" and matrix.matrix[3][1] == 0.5
    assert matrix.history.count() == 2
    with pytest.raises(ConflictError):
        system_services.pairwise_matrix_save(matrix=matrix, upper=upper, by=superuser, version=1)
    with raises_because(ValidationError, "is not on Saaty's scale 1/9 … 9."):
        system_services.pairwise_matrix_save(
            matrix=matrix, upper=["1", "10", "2", "3", "2", "1/2"], by=superuser, version=matrix.version
        )


def test_published_version_is_immutable(default_version, superuser):
    matrix = default_version.matrices.get(dimension__code="A")
    with raises_because(ValidationError, "A published version cannot be changed: copy it to a new draft first."):
        system_services.pairwise_matrix_save(matrix=matrix, upper=MATRICES["A"], by=superuser, version=matrix.version)
    indicator = default_version.dimensions.get(code="A").indicators.get(code="A1")
    with raises_because(ValidationError, "A published version cannot be changed: copy it to a new draft first."):
        system_services.indicator_update(indicator=indicator, by=superuser, version=indicator.version, target=5)
    with raises_because(ValidationError, "A published version cannot be changed: copy it to a new draft first."):
        system_services.system_version_update_settings(
            system_version=default_version, by=superuser, version=default_version.version, alpha="0.5"
        )


def test_copy_edit_publish(default_version, superuser):
    draft = _draft(default_version, superuser)
    assert (draft.number, draft.status, draft.copied_from) == (2, SystemVersionStatus.DRAFT, default_version)
    assert draft.dimensions.count() == 7 and PairwiseMatrix.objects.filter(system_version=draft).count() == 8
    with raises_because(
        ValidationError, "is already a draft of this system: edit or discard it first."
    ):  # one draft at a time
        _draft(default_version, superuser)
    indicator = draft.dimensions.get(code="A").indicators.get(code="A1")
    system_services.indicator_update(indicator=indicator, by=superuser, version=indicator.version, target=8, floor=25)
    with pytest.raises(ValidationError) as info:
        system_services.indicator_update(indicator=indicator, by=superuser, version=indicator.version, target=40)
    assert "floor" in info.value.message_dict
    system_services.system_version_publish(system_version=draft, by=superuser, version=draft.version)
    draft.refresh_from_db()
    default_version.refresh_from_db()
    assert draft.status == SystemVersionStatus.PUBLISHED and default_version.status == SystemVersionStatus.SUPERSEDED
    assert system_selectors.current_version(None) == draft
    assert default_version.dimensions.get(code="A").indicators.get(code="A1").target == 10  # the old one kept


def test_publish_refused_when_a_matrix_is_inconsistent(default_version, superuser):
    draft = _draft(default_version, superuser)
    # Bypass the service (as a corrupt import would) to check that publish re-checks every matrix.
    PairwiseMatrix.objects.filter(system_version=draft, dimension__code="B").update(cr=0.2)
    PairwiseMatrix.objects.filter(system_version=draft, dimension__code="C").update(weights=[0.5, 0.5, 0.5, 0.5])
    with translation.override("en"), pytest.raises(ValidationError) as info:
        system_services.system_version_publish(system_version=draft, by=superuser, version=draft.version)
    assert len(info.value.messages) == 2
    draft.refresh_from_db()
    assert draft.status == SystemVersionStatus.DRAFT
    assert system_selectors.current_version(None) == default_version


def test_settings_validation_and_method_change(default_version, superuser):
    draft = _draft(default_version, superuser)
    with pytest.raises(ValidationError) as info:
        system_services.system_version_update_settings(
            system_version=draft, by=superuser, version=draft.version, grade_good_min=95
        )
    assert "grade_good_min" in info.value.message_dict
    draft = SystemVersion.objects.get(pk=draft.pk)
    system_services.system_version_update_settings(
        system_version=draft, by=superuser, version=draft.version, ahp_method="geometric", alpha="0.5"
    )
    b = draft.matrices.get(dimension__code="B")
    assert b.method == "geometric"
    assert b.weights == pytest.approx(list(maths.ahp(b.matrix, "geometric").weights))


def test_oem_adopts_default_and_scope(default_version, oem_admin, dealer_a, other_oem_dealer, manager_a):
    oem = dealer_a.region.oem
    system = system_services.indicator_system_adopt(oem=oem, by=oem_admin)
    draft = system.versions.get()
    assert draft.status == SystemVersionStatus.DRAFT
    assert system_selectors.current_version(oem.pk) == default_version  # until the OEM publishes its own
    system_services.system_version_publish(system_version=draft, by=oem_admin, version=draft.version)
    assert system_selectors.current_version(oem.pk) == draft
    assert system_selectors.current_version(other_oem_dealer.region.oem_id) == default_version
    # the administrator may not adopt for another OEM, nor edit the default; the manager reads only
    with raises_because(PermissionDenied, "You cannot change this indicator system."):
        system_services.indicator_system_adopt(oem=other_oem_dealer.region.oem, by=oem_admin)
    with raises_because(PermissionDenied, "You cannot change this indicator system."):
        system_services.system_version_copy(system_version=default_version, by=oem_admin)
    with raises_because(PermissionDenied, "You cannot change this indicator system."):
        system_services.system_version_copy(system_version=draft, by=manager_a)
    assert set(IndicatorSystem.objects.for_user(manager_a)) == {system, default_version.system}
    other_system = system_services.indicator_system_adopt(oem=other_oem_dealer.region.oem, by=_root())
    assert other_system not in IndicatorSystem.objects.for_user(manager_a)
    assert other_system not in IndicatorSystem.objects.for_user(oem_admin, write=True)


def _root():
    from core.tests.factories import UserFactory

    return UserFactory(username="root2", is_superuser=True)
