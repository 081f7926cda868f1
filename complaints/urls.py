"""Complaints: intake, SLA clock, escalation, contacts, resolution and crisis alerts."""

from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("complaints/", views.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/export.xlsx", views.ComplaintExportView.as_view(), name="complaint_export"),
    path("complaints/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("complaints/new/", views.ComplaintCreateView.as_view(), name="complaint_create"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint_detail"),
    path("complaints/<int:pk>/contact/", views.ComplaintContactView.as_view(), name="complaint_contact"),
    path("complaints/contacts/<int:pk>/letter/", views.ComplaintLetterView.as_view(), name="contact_letter"),
    path("complaints/<int:pk>/resolve/", views.ComplaintResolveView.as_view(), name="complaint_resolve"),
    path("complaints/<int:pk>/reopen/", views.ComplaintReopenView.as_view(), name="complaint_reopen"),
    path("complaints/<int:pk>/reassign/", views.ComplaintReassignView.as_view(), name="complaint_reassign"),
    path("complaints/<int:pk>/edit/", views.ComplaintUpdateView.as_view(), name="complaint_update"),
    path("complaints/alerts/", views.CrisisAlertListView.as_view(), name="alert_list"),
    path("complaints/alerts/<int:pk>/", views.CrisisAlertDetailView.as_view(), name="alert_detail"),
    path(
        "complaints/alerts/<int:pk>/acknowledge/", views.CrisisAlertAcknowledgeView.as_view(), name="alert_acknowledge"
    ),
]
