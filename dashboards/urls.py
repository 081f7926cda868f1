from django.urls import path

from dashboards import views
from dashboards.network import NetworkView

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("desk/", views.DeskView.as_view(), name="desk"),
    path("dealers/", views.DealerListView.as_view(), name="dealer_list"),
    path("network/", NetworkView.as_view(), name="network"),
]
