"""Reads of indicator systems: the version that applies to an OEM/dealer, global weights, pages' lists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from core.tenancy import dealer_ids_for
from evaluation import display, maths, notes
from evaluation.choices import SystemVersionStatus
from evaluation.models import Dimension, Indicator, IndicatorSystem, PairwiseMatrix, SystemVersion
from organization.models import Dealer


def system_list(*, user) -> QuerySet[IndicatorSystem]:
    """The indicator systems the user may read, with their current and draft version numbers."""
    return (
        IndicatorSystem.objects.for_user(user)
        .select_related("oem")
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=SystemVersion.objects.filter(
                    status__in=[SystemVersionStatus.PUBLISHED, SystemVersionStatus.DRAFT]
                ).order_by("-number"),
                to_attr="open_versions",
            )
        )
        .order_by("oem__code", "id")
    )


def version_queryset(*, user, write: bool = False) -> QuerySet[SystemVersion]:
    """Versions of the systems the user may read (or change)."""
    return SystemVersion.objects.filter(system__in=IndicatorSystem.objects.for_user(user, write=write))


def with_structure(queryset: QuerySet[SystemVersion]) -> QuerySet[SystemVersion]:
    """Prefetch dimensions, indicators and matrices (what a version page and the API show)."""
    return queryset.select_related("system__oem", "created_by", "published_by").prefetch_related(
        Prefetch(
            "dimensions",
            queryset=Dimension.objects.order_by("position", "code").prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code"))
            ),
        ),
        Prefetch("matrices", queryset=PairwiseMatrix.objects.select_related("dimension")),
    )


def current_version(oem_id: int | None) -> SystemVersion | None:
    """The published version of the OEM's own system, else of the default system (no OEM)."""
    published = SystemVersion.objects.filter(status=SystemVersionStatus.PUBLISHED).select_related("system")
    if oem_id is not None:
        own = published.filter(system__oem_id=oem_id).first()
        if own is not None:
            return own
    return published.filter(system__oem__isnull=True).order_by("system_id").first()


def min_samples(dealer_ids) -> dict[int, int]:
    """{dealer_id: the minimum records per figure} of the version each dealer is evaluated with today
    (``current_version`` of its OEM; the field's default without a published version). Two queries."""
    oems = dict(Dealer.objects.filter(pk__in=list(dealer_ids)).values_list("pk", "region__oem_id"))
    published = SystemVersion.objects.filter(status=SystemVersionStatus.PUBLISHED).filter(
        Q(system__oem_id__in={oem for oem in oems.values() if oem is not None}) | Q(system__oem__isnull=True)
    )
    own, default = {}, None
    # Highest system id first: of several default systems the lowest id is the last one kept, as current_version.
    for oem_id, minimum in published.order_by("-system_id").values_list("system__oem_id", "min_sample"):
        if oem_id is None:
            default = minimum
        else:
            own[oem_id] = minimum
    fallback = default if default is not None else SystemVersion._meta.get_field("min_sample").default
    return {dealer_id: own.get(oem_id, fallback) for dealer_id, oem_id in oems.items()}


def version_for_dealer(dealer) -> SystemVersion | None:
    """The indicator-system version a dealer is evaluated with today."""
    return current_version(dealer.region.oem_id)


def _stored_ahp(matrix: PairwiseMatrix) -> maths.AhpResult:
    n = len(matrix.elements)
    ri = maths.SAATY_RI.get(n, 0.0) if n > 2 else 0.0
    return maths.AhpResult(tuple(matrix.weights), matrix.lambda_max, matrix.ci, matrix.cr,
                           matrix.cr < maths.CR_THRESHOLD, n, ri, matrix.method)  # fmt: skip


@dataclass(frozen=True)
class VersionWeights:
    """AHP weights of a version: per dimension, per indicator within its dimension, and global (dimension × local)."""

    dimension: dict[str, float]
    local: dict[str, float]
    global_: dict[str, float]
    hierarchy_cr: float


def ahp_weights(version: SystemVersion) -> VersionWeights:
    """The stored AHP weights composed into global indicator weights (maths.ahp_hierarchy, tree composition).

    Uses prefetched dimensions/matrices when present (see ``with_structure``).
    """
    matrices = list(version.matrices.all())
    top = next(m for m in matrices if m.dimension_id is None)
    by_dimension = {m.dimension_id: m for m in matrices if m.dimension_id is not None}
    dimensions = sorted(version.dimensions.all(), key=lambda d: (d.position, d.code))
    dimension_weights = top.weight_by_code
    parent = [dimension_weights[d.code] for d in dimensions]
    children = [_stored_ahp(by_dimension[d.id]) for d in dimensions]
    hierarchy = maths.ahp_hierarchy(parent, children, composition="tree")
    codes = [code for d in dimensions for code in by_dimension[d.id].elements]
    local = {code: w for d in dimensions for code, w in by_dimension[d.id].weight_by_code.items()}
    return VersionWeights(
        dimension=dimension_weights,
        local=local,
        global_=dict(zip(codes, hierarchy.global_weights, strict=True)),
        hierarchy_cr=hierarchy.cr,
    )


def open_inconsistencies(version: SystemVersion) -> list[PairwiseMatrix]:
    """Matrices of the version whose stored CR is not below 0.10 (should never happen; publish checks it)."""
    return list(version.matrices.filter(Q(cr__gte=maths.CR_THRESHOLD)))


# --- names and notes in the reader's language ---


def element_names(system_version) -> dict[str, dict[str, str]]:
    """{"dimensions": {code: name}, "indicators": {code: name}} of a version, names in the reader's language.

    Two mappings because the audited dimension and its indicator share the code G.
    """
    dimensions = Dimension.objects.filter(system_version=system_version).values_list("code", "name_zh", "name_en")
    indicators = Indicator.objects.filter(dimension__system_version=system_version).values_list(
        "code", "name_zh", "name_en"
    )
    return {
        "dimensions": {code: display.in_language(zh, en) for code, zh, en in dimensions},
        "indicators": {code: display.in_language(zh, en) for code, zh, en in indicators},
    }


def indicator_names(oem_ids) -> dict[str, str]:
    """{code: name in the reader's language} of the indicator system these dealers' OEMs are evaluated with.

    The measurement pages name indicators as the indicator system does: the OEM's own system when every dealer
    shown belongs to one OEM, else the default system.
    """
    oems = set(oem_ids)
    version = current_version(oems.pop() if len(oems) == 1 else None)
    if version is None:
        return {}
    rows = Indicator.objects.filter(dimension__system_version=version).values_list("code", "name_zh", "name_en")
    return {code: display.in_language(zh, en) for code, zh, en in rows}


def coded_indicator_names(version) -> dict[str, str]:
    """{code: "A2 name"} of a version's indicators, in the reader's language."""
    return {code: f"{code} {name}" for code, name in element_names(version)["indicators"].items()}


def run_notes(run, user, names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """A run's notes with their text, in the reader's language, naming only the dealers the user may see."""
    names = names if names is not None else coded_indicator_names(run.system_version)
    return notes.rendered(run.notes, names, dealer_ids_for(user))
