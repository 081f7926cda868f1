"""Satisfaction surveys: versioned questionnaires, public token links, responses and scores."""

from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    # The customer's page: no login; the token is the only key.
    path("s/<str:token>/", views.public_survey, name="public"),
    path("surveys/", views.surveys_home, name="home"),
    path("surveys/results/", views.ResultsView.as_view(), name="results"),
    path("surveys/responses/", views.ResponseListView.as_view(), name="response_list"),
    path("surveys/responses/export.xlsx", views.ResponseExportView.as_view(), name="response_export"),
    path("surveys/responses/<int:pk>/", views.ResponseDetailView.as_view(), name="response_detail"),
    path("surveys/invitations/", views.InvitationListView.as_view(), name="invitation_list"),
    path("surveys/invitations/<int:pk>/reissue/", views.InvitationReissueView.as_view(), name="invitation_reissue"),
    path("surveys/invitations/<int:pk>/link/", views.InvitationIssuedView.as_view(), name="invitation_issued"),
    path("surveys/questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire_list"),
    path("surveys/questionnaires/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire_detail"),
    path(
        "surveys/questionnaires/<int:pk>/new-version/",
        views.QuestionnaireNewVersionView.as_view(),
        name="questionnaire_new_version",
    ),
    path("surveys/settings/<int:pk>/", views.DealerSettingsView.as_view(), name="settings"),
    path("surveys/phone/", views.PhoneSurveyLookupView.as_view(), name="phone_lookup"),
    path("surveys/phone/<int:pk>/", views.PhoneSurveyView.as_view(), name="phone_survey"),
    path("surveys/phone/<int:pk>/invite/", views.OrderInviteView.as_view(), name="order_invite"),
]
