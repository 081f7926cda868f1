"""The service package pages (namespace ``packages``)."""

from django.urls import path

from packages import views

app_name = "packages"
urlpatterns = [
    path("packages/", views.PackageListView.as_view(), name="package_list"),
    path("packages/new/", views.PackageCreateView.as_view(), name="package_create"),
    path("packages/<int:pk>/", views.PackageDetailView.as_view(), name="package_detail"),
    path("packages/<int:pk>/edit/", views.PackageEditView.as_view(), name="package_edit"),
    path("packages/<int:pk>/items/", views.PackageItemAddView.as_view(), name="package_item_add"),
    path("packages/items/<int:pk>/remove/", views.PackageItemRemoveView.as_view(), name="package_item_remove"),
    path("repair-orders/<int:pk>/packages/apply/", views.PackageApplyView.as_view(), name="package_apply"),
]
