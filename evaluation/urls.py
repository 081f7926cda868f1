from django.urls import path

from evaluation.views import alerts as alert_views
from evaluation.views import audits as audit_views
from evaluation.views import measurements as measure_views
from evaluation.views import results as result_views
from evaluation.views import runs as run_views
from evaluation.views import systems as system_views

app_name = "evaluation"
urlpatterns = [
    path("evaluation/", system_views.EvaluationIndexView.as_view(), name="index"),
    path("evaluation/runs/", run_views.RunListView.as_view(), name="run_list"),
    path("evaluation/runs/<int:pk>/", run_views.RunDetailView.as_view(), name="run_detail"),
    path("evaluation/results/<int:pk>/", run_views.ResultDetailView.as_view(), name="result_detail"),
    path("evaluation/results/<int:pk>/explain/", result_views.ResultExplainView.as_view(), name="result_explain"),
    path("evaluation/alerts/", alert_views.AlertListView.as_view(), name="alert_list"),
    path("evaluation/alerts/<int:pk>/", alert_views.AlertDetailView.as_view(), name="alert_detail"),
    path("evaluation/alerts/<int:pk>/plan/", alert_views.AlertPlanView.as_view(), name="alert_plan"),
    path("evaluation/alerts/<int:pk>/dismiss/", alert_views.AlertDismissView.as_view(), name="alert_dismiss"),
    path("evaluation/alerts/<int:pk>/acknowledge/", alert_views.AlertAcknowledgeView.as_view(), name="alert_ack"),
    path("evaluation/actions/", alert_views.ActionListView.as_view(), name="action_list"),
    path("evaluation/actions/<int:pk>/", alert_views.ActionDetailView.as_view(), name="action_detail"),
    path("evaluation/actions/<int:pk>/edit/", alert_views.ActionEditView.as_view(), name="action_edit"),
    path("evaluation/actions/<int:pk>/move/", alert_views.ActionMoveView.as_view(), name="action_move"),
    path("evaluation/measurements/", measure_views.MeasurementsView.as_view(), name="measurements"),
    path("evaluation/measures/<str:code>/", measure_views.DrilldownView.as_view(), name="drilldown"),
    path("evaluation/systems/", system_views.SystemListView.as_view(), name="system_list"),
    path("evaluation/systems/<int:pk>/", system_views.SystemDetailView.as_view(), name="system_detail"),
    path("evaluation/versions/<int:pk>/", system_views.VersionDetailView.as_view(), name="version_detail"),
    path("evaluation/versions/<int:pk>/settings/", system_views.VersionSettingsView.as_view(), name="version_settings"),
    path(
        "evaluation/versions/<int:pk>/copy/", system_views.VersionActionView.as_view(action="copy"), name="version_copy"
    ),
    path(
        "evaluation/versions/<int:pk>/publish/",
        system_views.VersionActionView.as_view(
            action="publish", permission_required="evaluation.publish_indicatorsystem"
        ),
        name="version_publish",
    ),
    path(
        "evaluation/versions/<int:pk>/discard/",
        system_views.VersionActionView.as_view(action="discard"),
        name="version_discard",
    ),
    path("evaluation/matrices/<int:pk>/", system_views.MatrixEditView.as_view(), name="matrix_edit"),
    path("evaluation/matrices/<int:pk>/preview/", system_views.MatrixPreviewView.as_view(), name="matrix_preview"),
    path("evaluation/indicators/<int:pk>/edit/", system_views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("evaluation/audit-templates/", audit_views.TemplateListView.as_view(), name="template_list"),
    path("evaluation/audit-templates/<int:pk>/", audit_views.TemplateDetailView.as_view(), name="template_detail"),
    path("evaluation/audits/", audit_views.AuditListView.as_view(), name="audit_list"),
    path("evaluation/audits/new/", audit_views.AuditCreateView.as_view(), name="audit_create"),
    path("evaluation/audits/<int:pk>/", audit_views.AuditDetailView.as_view(), name="audit_detail"),
    path("evaluation/audits/<int:pk>/scores/", audit_views.AuditScoreView.as_view(), name="audit_score"),
    path("evaluation/audits/<int:pk>/adjustments/", audit_views.AuditAdjustmentView.as_view(), name="audit_adjustment"),
    path(
        "evaluation/audits/<int:pk>/evidence/", audit_views.AuditEvidenceUploadView.as_view(), name="audit_evidence_add"
    ),
    path("evaluation/audits/<int:pk>/submit/", audit_views.AuditSubmitView.as_view(), name="audit_submit"),
    path("evaluation/audits/<int:pk>/confirm/", audit_views.AuditConfirmView.as_view(), name="audit_confirm"),
    path(
        "evaluation/audit-adjustments/<int:pk>/remove/",
        audit_views.AuditAdjustmentRemoveView.as_view(),
        name="audit_adjustment_remove",
    ),
    path("evaluation/audit-evidence/<int:pk>/", audit_views.AuditEvidenceView.as_view(), name="audit_evidence"),
]
