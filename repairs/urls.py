from django.urls import path

from repairs import views

app_name = "repairs"
urlpatterns = [
    path("repair-orders/", views.RepairOrderListView.as_view(), name="repair_order_list"),
    path("vehicles/<int:vehicle_pk>/repair-orders/new/", views.RepairOrderOpenView.as_view(), name="repair_order_open"),
    path("repair-orders/<int:pk>/", views.RepairOrderDetailView.as_view(), name="repair_order_detail"),
    path("repair-orders/<int:pk>/check-in/", views.CheckInView.as_view(), name="repair_order_checkin"),
    path("repair-orders/<int:pk>/estimate/", views.EstimateView.as_view(), name="repair_order_estimate"),
    path("repair-orders/<int:pk>/lines/", views.LineAddView.as_view(), name="repair_order_line_add"),
    path("repair-order-lines/<int:pk>/remove/", views.LineRemoveView.as_view(), name="repair_order_line_remove"),
    path("repair-orders/<int:pk>/approval/", views.ApprovalView.as_view(), name="repair_order_approval"),
    path("repair-orders/<int:pk>/transition/", views.TransitionView.as_view(), name="repair_order_transition"),
]
