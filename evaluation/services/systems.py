"""Writes of indicator systems: AHP matrices (refused when inconsistent), indicators, settings, copy and publish.

Rules: only a draft version changes; a published version is immutable. Editing = ``system_version_copy`` (a new
draft, at most one per system), change it, ``system_version_publish`` (the previous current version becomes
superseded). Who: the model permissions ``evaluation.change_indicatorsystem`` / ``publish_indicatorsystem``
(administrators) on systems of the OEMs whose dealers the user works for; the default system (no OEM) only by a
superuser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import lock_version, save_next_version, save_versioned
from evaluation import display, maths
from evaluation.choices import SAATY_SCALE, IndicatorDirection, SystemVersionStatus
from evaluation.models import Dimension, Indicator, IndicatorSystem, PairwiseMatrix, SystemVersion

CHANGE = "evaluation.change_indicatorsystem"
PUBLISH = "evaluation.publish_indicatorsystem"
SAATY_VALUES = {Fraction(value) for value, _label in SAATY_SCALE}
WEIGHT_SUM_TOLERANCE = 1e-6


def can_edit_system(user, system: IndicatorSystem) -> bool:
    """Whether the user may change drafts of this system (permission + the system's OEM in their scope)."""
    return user.has_perm(CHANGE) and IndicatorSystem.objects.for_user(user, write=True).filter(pk=system.pk).exists()


def _check_edit(user, system: IndicatorSystem, permission: str = CHANGE) -> None:
    if (
        not user.has_perm(permission)
        or not IndicatorSystem.objects.for_user(user, write=True).filter(pk=system.pk).exists()
    ):
        raise PermissionDenied(_("You cannot change this indicator system."))


def _check_draft(version: SystemVersion) -> None:
    if version.status != SystemVersionStatus.DRAFT:
        raise ValidationError(_("A published version cannot be changed: copy it to a new draft first."))


# --------------------------------------------------------------------------------------------------------------------
# AHP matrices
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCheck:
    """The AHP result of a matrix as entered, with the most inconsistent pair (None for n ≤ 2)."""

    elements: list[str]
    matrix: list[list[float]]
    result: maths.AhpResult
    pair: maths.InconsistentPair | None

    @property
    def consistent(self) -> bool:
        return self.result.consistent

    def pair_codes(self) -> tuple[str, str] | None:
        return None if self.pair is None else (self.elements[self.pair.i], self.elements[self.pair.j])


def parse_judgement(value) -> Fraction:
    """A Saaty judgement ("3", "1/5", 0.2) as an exact fraction on the 1/9..9 scale; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not math.isfinite(value) or value <= 0:
            raise ValueError(value)
        fraction = Fraction(value).limit_denominator(9)
        if abs(float(fraction) - value) > 1e-9:
            raise ValueError(value)
    else:
        fraction = Fraction(str(value).strip())
    if fraction not in SAATY_VALUES:
        raise ValueError(value)
    return fraction


def build_matrix(elements: list[str], upper) -> list[list[float]]:
    """The reciprocal matrix from the upper-triangle judgements, given as a list (row-major) or a dict {(i, j): v}.

    Raises ValidationError({"matrix": …}) naming the first judgement that is not on Saaty's scale.
    """
    n = len(elements)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if isinstance(upper, dict):
        values = [upper.get(pair) for pair in pairs]
    else:
        values = list(upper)
        if len(values) != len(pairs):
            raise ValidationError(
                {
                    "matrix": _("%(n)s elements need %(k)s judgements, got %(got)s.")
                    % {"n": n, "k": len(pairs), "got": len(values)}
                }
            )
    rows = [[1.0] * n for _i in range(n)]
    for (i, j), value in zip(pairs, values, strict=True):
        try:
            fraction = parse_judgement(value)
        except (ValueError, ZeroDivisionError, TypeError):
            raise ValidationError(
                {
                    "matrix": _("%(a)s vs %(b)s: “%(value)s” is not on Saaty's scale 1/9 … 9.")
                    % {"a": elements[i], "b": elements[j], "value": "" if value is None else value}
                }
            ) from None
        rows[i][j] = float(fraction)
        rows[j][i] = float(1 / fraction)
    return rows


def matrix_check(elements: list[str], upper, method: str = "eigenvector") -> MatrixCheck:
    """Weights, λmax, CI, CR and the most inconsistent pair of the judgements (no database access).

    The most inconsistent pair is the (i, j), i < j, maximising |ln(a_ij · w_j / w_i)| — the judgement furthest
    (in ratio) from the value w_i / w_j its own weights imply (maths.most_inconsistent_pair).
    """
    matrix = build_matrix(elements, upper)
    try:
        result = maths.ahp(matrix, method)
    except maths.EvaluationInputError as exc:
        raise ValidationError({"matrix": str(exc)}) from exc
    pair = maths.most_inconsistent_pair(matrix, result) if len(elements) > 2 else None
    return MatrixCheck(elements, matrix, result, pair)


def inconsistency_message(check: MatrixCheck, names: dict[str, str] | None = None) -> str:
    """“CR = 0.153 ≥ 0.10 … most inconsistent: A1 vs A3 (entered 1/5, the weights imply 2.1)”."""
    names = names or {}
    pair = check.pair
    a, b = check.pair_codes()
    return _(
        "The judgements are inconsistent: CR = %(cr).3f (must be below 0.10). The most inconsistent pair is "
        "%(a)s vs %(b)s: you entered %(value)s, the other judgements imply about %(implied).2f. Revise it first."
    ) % {
        "cr": check.result.cr,
        "a": f"{a} {names.get(a, '')}".strip(),
        "b": f"{b} {names.get(b, '')}".strip(),
        "value": Fraction(pair.value).limit_denominator(9),
        "implied": pair.implied,
    }


def element_names(version: SystemVersion, matrix: PairwiseMatrix) -> dict[str, str]:
    """{code: name in the reader's language} of the elements a matrix compares."""
    elements = version.dimensions.all() if matrix.dimension_id is None else matrix.dimension.indicators.all()
    return {code: display.in_language(zh, en) for code, zh, en in elements.values_list("code", "name_zh", "name_en")}


@transaction.atomic
def pairwise_matrix_save(*, matrix: PairwiseMatrix, upper, by, version: int | None) -> PairwiseMatrix:
    """Store new judgements of a draft's matrix with their weights, λmax, CI and CR; refuse CR ≥ 0.10."""
    system_version = matrix.system_version
    _check_edit(by, system_version.system)
    _check_draft(system_version)
    check = matrix_check(list(matrix.elements), upper, system_version.ahp_method)
    if not check.consistent:
        raise ValidationError({"matrix": inconsistency_message(check, element_names(system_version, matrix))})
    _store(matrix, check)
    return save_versioned(matrix, expected_version=version, by=by, clean=False)


def _store(matrix: PairwiseMatrix, check: MatrixCheck) -> None:
    matrix.matrix = check.matrix
    matrix.method = check.result.method
    matrix.weights = list(check.result.weights)
    matrix.lambda_max = check.result.lambda_max
    matrix.ci = check.result.ci
    matrix.cr = check.result.cr


# --------------------------------------------------------------------------------------------------------------------
# Indicators and settings
# --------------------------------------------------------------------------------------------------------------------


def _check_target_floor(direction: str, target: Decimal, floor: Decimal) -> None:
    if direction == IndicatorDirection.HIGHER and not target > floor:
        raise ValidationError({"floor": _("When higher is better the floor must be below the target.")})
    if direction == IndicatorDirection.LOWER and not target < floor:
        raise ValidationError({"floor": _("When lower is better the floor must be above the target.")})


INDICATOR_FIELDS = ("name_zh", "name_en", "direction", "target", "floor", "unit", "formula_zh", "formula_en")


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, version: int | None, **fields) -> Indicator:
    """Change an indicator of a draft (names, direction, target, floor, unit, definitions); the code stays."""
    system_version = indicator.dimension.system_version
    _check_edit(by, system_version.system)
    _check_draft(system_version)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check_target_floor(indicator.direction, Decimal(indicator.target), Decimal(indicator.floor))
    indicator._history_user = by
    return save_versioned(indicator, expected_version=version)


SETTINGS_FIELDS = (
    "note", "ahp_method", "weighting_mode", "alpha", "grade_excellent_min", "grade_good_min", "grade_fair_min",
    "star_compliant_min", "star3_min", "star4_min", "star5_min", "fuzzy_excellent_score", "fuzzy_good_score",
    "fuzzy_fair_score", "fuzzy_poor_score", "alert_escalation_days",
    # comparable, reproducible months (evaluation.services.runs)
    "grace_days", "entropy_window_months", "entropy_min_dealers", "min_sample", "rank_min_weight",
)  # fmt: skip


def _check_settings(version: SystemVersion) -> None:
    # The ranges the model declares (entropy window 1–36 months, at least two dealers, …) hold for every caller.
    version.clean_fields(exclude=[f.name for f in SystemVersion._meta.fields if f.name not in SETTINGS_FIELDS])
    errors = {}
    if not version.grade_excellent_min > version.grade_good_min > version.grade_fair_min > 0:
        errors["grade_good_min"] = _("Grade thresholds must fall: excellent > good > fair > 0.")
    if not version.star5_min > version.star4_min > version.star3_min > version.star_compliant_min > 0:
        errors["star3_min"] = _("Star thresholds must fall: ★★★★★ > ★★★★ > ★★★ > compliant > 0.")
    if not (version.fuzzy_excellent_score > version.fuzzy_good_score > version.fuzzy_fair_score
            > version.fuzzy_poor_score >= 0):  # fmt: skip
        errors["fuzzy_good_score"] = _("Fuzzy grade scores must fall: excellent > good > fair > poor.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def system_version_update_settings(
    *, system_version: SystemVersion, by, version: int | None, **fields
) -> SystemVersion:
    """Change a draft's settings (AHP method, weighting mode and α, grade/star thresholds, fuzzy grade scores).

    A changed AHP method recomputes every matrix of the draft (and is refused if one becomes inconsistent).
    """
    _check_edit(by, system_version.system)
    _check_draft(system_version)
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    method_changed = "ahp_method" in fields and fields["ahp_method"] != system_version.ahp_method
    for name, value in fields.items():
        setattr(system_version, name, value)
    _check_settings(system_version)
    system_version._history_user = by
    save_versioned(system_version, expected_version=version)
    if method_changed:
        for matrix in system_version.matrices.select_related("dimension"):
            check = matrix_check(list(matrix.elements), matrix.upper, system_version.ahp_method)
            if not check.consistent:
                raise ValidationError({"ahp_method": inconsistency_message(check)})
            _store(matrix, check)
            save_next_version(matrix, by=by, clean=False)
    return system_version


# --------------------------------------------------------------------------------------------------------------------
# Versions: copy, publish, discard, adopt
# --------------------------------------------------------------------------------------------------------------------


def _copy_structure(source: SystemVersion, target: SystemVersion) -> None:
    dimension_map = {}
    for dimension in source.dimensions.order_by("position", "code"):
        copy = Dimension.objects.create(system_version=target, code=dimension.code, name_zh=dimension.name_zh,
                                        name_en=dimension.name_en, source=dimension.source,
                                        position=dimension.position)  # fmt: skip
        dimension_map[dimension.pk] = copy
        Indicator.objects.bulk_create(
            Indicator(dimension=copy, code=i.code, name_zh=i.name_zh, name_en=i.name_en, direction=i.direction,
                      target=i.target, floor=i.floor, unit=i.unit, formula_zh=i.formula_zh,
                      formula_en=i.formula_en, position=i.position)
            for i in dimension.indicators.order_by("position", "code")
        )  # fmt: skip
    for matrix in source.matrices.all():
        PairwiseMatrix.objects.create(
            system_version=target, dimension=dimension_map.get(matrix.dimension_id), elements=matrix.elements,
            matrix=matrix.matrix, method=matrix.method, weights=matrix.weights, lambda_max=matrix.lambda_max,
            ci=matrix.ci, cr=matrix.cr,
        )  # fmt: skip


def _new_version(system: IndicatorSystem, source: SystemVersion, by) -> SystemVersion:
    number = (system.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    settings = {name: getattr(source, name) for name in SETTINGS_FIELDS if name != "note"}
    draft = SystemVersion(system=system, number=number, status=SystemVersionStatus.DRAFT, copied_from=source,
                          created_by=by, note="", **settings)  # fmt: skip
    draft._history_user = by
    draft.save()
    _copy_structure(source, draft)
    return draft


@transaction.atomic
def system_version_copy(*, system_version: SystemVersion, by) -> SystemVersion:
    """A new draft of the same system copied from this version (at most one draft per system)."""
    system = IndicatorSystem.objects.select_for_update().get(pk=system_version.system_id)
    _check_edit(by, system)
    existing = system.versions.filter(status=SystemVersionStatus.DRAFT).first()
    if existing is not None:
        raise ValidationError(
            _("Version %(n)s is already a draft of this system: edit or discard it first.") % {"n": existing.number}
        )
    return _new_version(system, system_version, by)


def publish_problems(system_version: SystemVersion) -> list[str]:
    """Why the version cannot be published (empty when it can): every matrix present, consistent, weights sum 1."""
    problems = []
    dimensions = list(system_version.dimensions.prefetch_related("indicators").order_by("position", "code"))
    matrices = {m.dimension_id: m for m in system_version.matrices.all()}
    expected = {None: [d.code for d in dimensions]}
    expected.update({d.pk: [i.code for i in sorted(d.indicators.all(), key=lambda i: (i.position, i.code))]
                     for d in dimensions})  # fmt: skip
    labels = {None: _("the dimensions")} | {d.pk: str(d) for d in dimensions}
    for key, codes in expected.items():
        matrix = matrices.get(key)
        if not codes:
            problems.append(_("%(what)s has no indicator.") % {"what": labels[key]})
            continue
        if matrix is None or list(matrix.elements) != codes:
            problems.append(_("The matrix of %(what)s does not match its elements.") % {"what": labels[key]})
            continue
        if len(codes) > 2 and matrix.cr >= maths.CR_THRESHOLD:
            problems.append(_("The matrix of %(what)s is inconsistent (CR = %(cr).3f).")
                            % {"what": labels[key], "cr": matrix.cr})  # fmt: skip
        if abs(sum(matrix.weights) - 1.0) > WEIGHT_SUM_TOLERANCE or len(matrix.weights) != len(codes):
            problems.append(_("The weights of %(what)s do not sum to 1.") % {"what": labels[key]})
    return problems


@transaction.atomic
def system_version_publish(*, system_version: SystemVersion, by, version: int | None) -> SystemVersion:
    """Make a draft the current version (the previous current one is superseded); refused if any matrix fails."""
    _check_edit(by, system_version.system, PUBLISH)
    IndicatorSystem.objects.select_for_update().get(pk=system_version.system_id)
    lock_version(system_version, expected_version=version)
    system_version.refresh_from_db()
    _check_draft(system_version)
    problems = publish_problems(system_version)
    if problems:
        raise ValidationError(problems)
    for previous in SystemVersion.objects.filter(system_id=system_version.system_id,
                                                 status=SystemVersionStatus.PUBLISHED):  # fmt: skip
        previous.status = SystemVersionStatus.SUPERSEDED
        save_next_version(previous, by=by, clean=False)
    system_version.status = SystemVersionStatus.PUBLISHED
    system_version.published_at = timezone.now()
    system_version.published_by = by
    return save_next_version(system_version, by=by, clean=False)


@transaction.atomic
def system_version_discard(*, system_version: SystemVersion, by, version: int | None) -> None:
    """Delete a draft version."""
    _check_edit(by, system_version.system)
    lock_version(system_version, expected_version=version)
    system_version.refresh_from_db()
    _check_draft(system_version)
    system_version._history_user = by
    system_version.delete()


@transaction.atomic
def indicator_system_adopt(*, oem, by, name: str = "") -> IndicatorSystem:
    """Give an OEM its own system: a draft v1 copied from the default's current version (publish it to use it)."""
    from organization.models import Dealer

    if not by.has_perm(CHANGE) or not (by.is_superuser or Dealer.objects.for_user(by).filter(region__oem=oem).exists()):
        raise PermissionDenied(_("You cannot change this indicator system."))
    if IndicatorSystem.objects.filter(oem=oem).exists():
        raise ValidationError(_("%(oem)s already has its own indicator system.") % {"oem": oem})
    source = (
        SystemVersion.objects.filter(system__oem__isnull=True, status=SystemVersionStatus.PUBLISHED)
        .order_by("system_id")
        .first()
    )
    if source is None:
        raise ValidationError(_("There is no published default indicator system to copy."))
    system = IndicatorSystem(oem=oem, name=name.strip() or _("%(oem)s indicator system") % {"oem": oem.name})
    system._history_user = by
    system.save()
    _new_version(system, source, by)
    return system
