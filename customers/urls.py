from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/export.xlsx", views.CustomerExportView.as_view(), name="customer_export"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer_update"),
    path("customers/<int:customer_pk>/vehicles/new/", views.VehicleCreateView.as_view(), name="vehicle_create"),
    path("vehicles/", views.VehicleListView.as_view(), name="vehicle_list"),
    path("vehicles/<int:pk>/", views.VehicleDetailView.as_view(), name="vehicle_detail"),
    path("vehicles/<int:pk>/edit/", views.VehicleUpdateView.as_view(), name="vehicle_update"),
    path("vehicles/<int:pk>/change-owner/", views.VehicleChangeOwnerView.as_view(), name="vehicle_change_owner"),
]
