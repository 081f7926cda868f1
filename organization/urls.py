from django.urls import path

from organization import views

app_name = "organization"
urlpatterns = [
    path("dealers/<int:pk>/", views.DealerDetailView.as_view(), name="dealer_detail"),
]
