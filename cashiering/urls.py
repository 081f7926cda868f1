"""The cash desk's pages (namespace ``cashiering``)."""

from django.urls import path

from cashiering import views

app_name = "cashiering"
urlpatterns = [
    path("cashier/", views.CashierQueueView.as_view(), name="queue"),
    path("cashier/orders/<int:pk>/", views.OrderCashView.as_view(), name="order"),
    path("cashier/orders/<int:pk>/pay/", views.PaymentTakeView.as_view(), name="payment_take"),
    path("cashier/orders/<int:pk>/invoice/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("cashier/orders/<int:pk>/exception/", views.DeliveryExceptionView.as_view(), name="delivery_exception"),
    path("cashier/payments/<int:pk>/void/", views.PaymentVoidView.as_view(), name="payment_void"),
    path("cashier/payments/<int:pk>/receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("cashier/invoices/<int:pk>/void/", views.InvoiceVoidView.as_view(), name="invoice_void"),
    path("cashier/report/", views.CashReportView.as_view(), name="report"),
    path("cashier/report.xlsx", views.CashReportView.as_view(), {"export": True}, name="report_export"),
]
