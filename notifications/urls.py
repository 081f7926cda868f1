from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.InboxView.as_view(), name="inbox"),
    path("notifications/badge/", views.BadgeView.as_view(), name="badge"),
    path("notifications/read-all/", views.ReadAllView.as_view(), name="read_all"),
    path("notifications/<int:pk>/open/", views.OpenView.as_view(), name="open"),
    path("notifications/<int:pk>/read/", views.ReadView.as_view(), name="read"),
]
