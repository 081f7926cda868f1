from django.urls import path

from care import views

app_name = "care"
urlpatterns = [
    path("care/follow-ups/", views.FollowUpListView.as_view(), name="followups"),
    path("care/follow-ups/<int:pk>/", views.FollowUpCallView.as_view(), name="followup_call"),
    path("care/calls/", views.CallListView.as_view(), name="calls"),
    path("care/calls/export.xlsx", views.CallExportView.as_view(), name="call_export"),
    path("care/customers/<int:pk>/call/", views.CustomerCallView.as_view(), name="customer_call"),
    path("care/customers/<int:pk>/letter/", views.LetterCreateView.as_view(), name="letter_create"),
    path("care/letters/", views.LetterListView.as_view(), name="letters"),
    path("care/letters/export.xlsx", views.LetterExportView.as_view(), name="letter_export"),
    path("care/reminders/", views.ReminderListView.as_view(), name="reminders"),
    path("care/reminders/export.xlsx", views.ReminderExportView.as_view(), name="reminder_export"),
    path("care/reminders/generate/", views.ReminderGenerateView.as_view(), name="reminder_generate"),
    path("care/reminders/<int:pk>/", views.ReminderDetailView.as_view(), name="reminder_detail"),
    path("care/campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("care/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("care/campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("care/lapsed/", views.LapsedListView.as_view(), name="lapsed"),
    path("care/lapsed/to-campaign/", views.LapsedToCampaignView.as_view(), name="lapsed_to_campaign"),
]
