from django.urls import path

from repairs import print_views, views

app_name = "repairs"
urlpatterns = [
    path("repair-orders/", views.RepairOrderListView.as_view(), name="repair_order_list"),
    path("workshop/", views.WorkshopBoardView.as_view(), name="workshop_board"),
    path("workshop/my-jobs/", views.MyJobsView.as_view(), name="my_jobs"),
    path("workshop/tv/", views.WorkshopTvView.as_view(), name="workshop_tv"),
    path("workshop/qc/", views.QcQueueView.as_view(), name="qc_queue"),
    path("workshop/bays/", views.BayListView.as_view(), name="bay_list"),
    path("workshop/bays/new/", views.BayFormView.as_view(), name="bay_create"),
    path("workshop/bays/<int:pk>/edit/", views.BayFormView.as_view(), name="bay_edit"),
    path("workshop/bays/<int:pk>/release/", views.BayReleaseView.as_view(), name="bay_release"),
    path("repair-orders/<int:pk>/bay/", views.BayPlaceView.as_view(), name="bay_place"),
    path("vehicles/<int:vehicle_pk>/repair-orders/new/", views.RepairOrderOpenView.as_view(), name="repair_order_open"),
    path("repair-orders/<int:pk>/", views.RepairOrderDetailView.as_view(), name="repair_order_detail"),
    path("repair-orders/<int:pk>/print/", print_views.RepairOrderPrintView.as_view(), name="repair_order_print"),
    path("repair-orders/<int:pk>/statement.pdf", print_views.SettlementPrintView.as_view(), name="settlement_print"),
    path("repair-orders/<int:pk>/check-in/", views.CheckInView.as_view(), name="repair_order_checkin"),
    path("repair-orders/<int:pk>/estimate/", views.EstimateView.as_view(), name="repair_order_estimate"),
    path("repair-orders/<int:pk>/lines/", views.LineAddView.as_view(), name="repair_order_line_add"),
    path("repair-order-lines/<int:pk>/remove/", views.LineRemoveView.as_view(), name="repair_order_line_remove"),
    path("repair-orders/<int:pk>/approval/", views.ApprovalView.as_view(), name="repair_order_approval"),
    path("repair-orders/<int:pk>/transition/", views.TransitionView.as_view(), name="repair_order_transition"),
    path("repair-orders/<int:pk>/assign/", views.AssignView.as_view(), name="repair_order_assign"),
    path("repair-orders/<int:pk>/clock/", views.ClockView.as_view(), name="repair_order_clock"),
    path("repair-orders/<int:pk>/additions/", views.AdditionRaiseView.as_view(), name="addition_raise"),
    path("repair-orders/<int:pk>/additions/contact/", views.AdditionContactView.as_view(), name="addition_contact"),
    path("repair-orders/<int:pk>/additions/decide/", views.AdditionDecideView.as_view(), name="addition_decide"),
    path("repair-orders/<int:pk>/qc/", views.QcView.as_view(), name="repair_order_qc"),
    path("repair-orders/<int:pk>/deliver/", views.DeliverView.as_view(), name="repair_order_deliver"),
    path("repair-orders/<int:pk>/comeback/", views.ComebackView.as_view(), name="repair_order_comeback"),
    path(
        "repair-orders/<int:pk>/not-a-comeback/",
        views.ComebackDismissView.as_view(),
        name="repair_order_not_a_comeback",
    ),
    path(
        "repair-orders/<int:pk>/not-a-comeback/undo/",
        views.ComebackRestoreView.as_view(),
        name="repair_order_not_a_comeback_undo",
    ),
    path("repair-orders/<int:pk>/photos/", views.PhotoUploadView.as_view(), name="repair_order_photo_add"),
    path("repair-order-photos/<int:pk>/", views.PhotoView.as_view(), name="repair_order_photo"),
    path("repair-orders/<int:pk>/signature/<str:kind>/", views.SignatureView.as_view(), name="repair_order_signature"),
]
