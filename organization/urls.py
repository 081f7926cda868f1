from django.urls import path

from organization import views

app_name = "organization"
urlpatterns = [
    path("dealers/", views.DealerListView.as_view(), name="dealer_list"),
    path("dealers/<int:pk>/", views.DealerDetailView.as_view(), name="dealer_detail"),
]
