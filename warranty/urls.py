from django.urls import path

from warranty import views

app_name = "warranty"
urlpatterns = [
    path("warranty/claims/", views.ClaimListView.as_view(), name="claim_list"),
    path("warranty/claims/export.xlsx", views.ClaimExportView.as_view(), name="claim_export"),
    path("warranty/claims/report/", views.ClaimReportView.as_view(), name="claim_report"),
    path("warranty/claims/new/", views.ClaimCreateView.as_view(), name="claim_create"),
    path("warranty/claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim_detail"),
    path("warranty/claims/<int:pk>/edit/", views.ClaimEditView.as_view(), name="claim_edit"),
    path("warranty/claims/<int:pk>/submit/", views.ClaimSubmitView.as_view(), name="claim_submit"),
    path("warranty/claims/<int:pk>/decide/", views.ClaimDecideView.as_view(), name="claim_decide"),
    path("warranty/claims/<int:pk>/mark-paid/", views.ClaimPaymentView.as_view(), name="claim_mark_paid"),
    path("warranty/claims/<int:pk>/discard/", views.ClaimDeleteView.as_view(), name="claim_delete"),
]
