"""Evaluation data, one module per concern: indicator systems (``systems``), audits (``audits``), evaluation runs
(``runs``) and quality alerts with their improvement actions (``alerts``). Everything is importable from here."""

from evaluation.models.alerts import AlertReason, ImprovementAction, QualityAlert
from evaluation.models.audits import (
    Audit,
    AuditAdjustment,
    AuditEvidence,
    AuditItem,
    AuditItemScore,
    AuditSection,
    AuditTemplate,
    _evidence_path,
)
from evaluation.models.runs import (
    RUN_ADD,
    RUN_PUBLISH,
    DealerEvaluation,
    DealerEvaluationQuerySet,
    EvaluationRun,
    EvaluationRunQuerySet,
    sees_drafts,
)
from evaluation.models.systems import (
    ENTROPY_WINDOW_MAX,
    GRACE_DAYS_MAX,
    PERCENT,
    POPULATION_CODES,
    Dimension,
    Indicator,
    IndicatorSystem,
    IndicatorSystemQuerySet,
    PairwiseMatrix,
    SystemVersion,
    enough_data,
)

__all__ = [
    "ENTROPY_WINDOW_MAX", "GRACE_DAYS_MAX", "PERCENT", "POPULATION_CODES", "RUN_ADD", "RUN_PUBLISH", "AlertReason",
    "Audit", "AuditAdjustment", "AuditEvidence", "AuditItem", "AuditItemScore", "AuditSection", "AuditTemplate",
    "DealerEvaluation", "DealerEvaluationQuerySet", "Dimension", "EvaluationRun", "EvaluationRunQuerySet",
    "ImprovementAction", "Indicator", "IndicatorSystem", "IndicatorSystemQuerySet", "PairwiseMatrix", "QualityAlert",
    "SystemVersion", "_evidence_path", "enough_data", "sees_drafts",
]  # fmt: skip
