"""Every API route of the evaluation (included by config/api_urls.py): the measurements and the resources."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from evaluation.api.alerts import ImprovementActionViewSet, QualityAlertViewSet
from evaluation.api.measurements import MeasurementListView
from evaluation.api.runs import DealerEvaluationViewSet, EvaluationRunViewSet
from evaluation.api.views import AuditViewSet, IndicatorSystemViewSet

router = SimpleRouter()
router.register("indicator-systems", IndicatorSystemViewSet, basename="indicator-system")
router.register("audits", AuditViewSet, basename="audit")
router.register("evaluation-runs", EvaluationRunViewSet, basename="evaluation-run")
router.register("evaluation-results", DealerEvaluationViewSet, basename="evaluation-result")
router.register("quality-alerts", QualityAlertViewSet, basename="quality-alert")
router.register("improvement-actions", ImprovementActionViewSet, basename="improvement-action")

urlpatterns = [
    path("measurements/", MeasurementListView.as_view(), name="measurement-list"),
    *router.urls,
]
