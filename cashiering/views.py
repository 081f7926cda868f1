"""Pages of the cash desk (收银台): the queue, an order's payments and 发票, the receipt, the daily cash report."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from cashiering import selectors, services
from cashiering.choices import PaymentMethod
from cashiering.forms import CashReportForm, InvoiceForm, PaymentForm, ReasonForm
from cashiering.models import Invoice, Payment
from core.exports import Sheet, xlsx_sheets_response
from core.mixins import DealerScopedObjectMixin, RecordActionView, RecordFormView, RecordPageView
from core.permissions import allowed
from core.tenancy import dealers_for
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder

ORDER_RELATED = ("dealer", "vehicle", "customer", "advisor", "settlement")


class CashierQueueView(DealerScopedObjectMixin, View):
    """The cash desk's queue: cars ready for delivery, delivered orders with money open, today's payments."""

    model = Payment
    permission_required = "cashiering.view_payment"

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        payments = list(selectors.payments_of_day(user=user, day=today).select_related("order__vehicle"))
        context = {
            "ready": selectors.ready_for_delivery(user=user),
            "open_after_delivery": selectors.delivered_with_amount_open(user=user),
            "payments": payments,
            "today": today,
            "today_total": sum((p.signed_amount for p in payments if not p.voided), selectors.ZERO),
        }
        return render(request, "cashiering/queue.html", context)


def _order_context(request, order: RepairOrder, **bound_forms) -> dict:
    """Everything the order's cash page shows; ``bound_forms`` replace the blank forms to show errors."""
    user = request.user
    balance = selectors.order_balance(order)
    can_write = allowed(user, dealer=order.dealer_id)
    takes_payments = order.status != RepairOrderStatus.CANCELLED
    context = {
        "object": order,
        "balance": balance,
        "payments": list(selectors.payment_list(user=user, order=order).order_by("received_at", "id")),
        "invoices": list(selectors.invoice_list(user=user, order=order).order_by("issued_at", "id")),
        "exceptions": list(order.delivery_exceptions.select_related("authorised_by")),
        "can_pay": can_write and takes_payments and user.has_perm("cashiering.add_payment"),
        "can_void": can_write and user.has_perm("cashiering.void_payment"),
        "can_invoice": can_write and takes_payments and user.has_perm("cashiering.add_invoice"),
        "can_void_invoice": can_write and user.has_perm("cashiering.void_invoice"),
        "can_except": can_write
        and user.has_perm("cashiering.add_deliveryexception")
        and order.status not in (*selectors.SETTLED_STATUSES, RepairOrderStatus.CANCELLED)
        and balance.customer.outstanding > 0,
        "cash": PaymentMethod.CASH,
    }
    if context["can_pay"]:
        open_amount = balance.customer.outstanding
        context["payment_form"] = bound_forms.get("payment_form") or PaymentForm(
            initial={"amount": open_amount if open_amount > 0 else None}
        )
    if context["can_invoice"]:
        uninvoiced = balance.customer.uninvoiced
        context["invoice_form"] = bound_forms.get("invoice_form") or InvoiceForm(
            initial={"amount": uninvoiced if uninvoiced > 0 else None, "buyer_name": order.customer.name}
        )
    if context["can_except"]:
        context["exception_form"] = bound_forms.get("exception_form") or ReasonForm()
    return context


class OrderCashView(RecordPageView):
    """One order at the cash desk: due / received / outstanding per payer, payments, 发票, the exception."""

    model = RepairOrder
    permission_required = "cashiering.view_payment"
    template_name = "cashiering/order.html"
    related = ORDER_RELATED

    def page_context(self, record, **bound_forms) -> dict:
        return _order_context(self.request, record, **bound_forms)


class _OrderFormView(RecordFormView, OrderCashView):
    def success_url(self, record) -> str:
        from django.urls import reverse

        return reverse("cashiering:order", args=[record.pk])


class PaymentTakeView(_OrderFormView):
    permission_required = "cashiering.add_payment"
    form_name = "payment_form"

    def build_form(self, order, data):
        return PaymentForm(data)

    def save(self, order, form):
        payment = services.payment_take(order=order, by=self.request.user, **form.cleaned_data)
        self.payment = payment
        if payment.change_given:
            return _("Receipt %(number)s: %(amount)s received, change %(change)s.") % {
                "number": payment.receipt_number, "amount": payment.amount, "change": payment.change_given,
            }  # fmt: skip
        return _("Receipt %(number)s: %(amount)s recorded.") % {
            "number": payment.receipt_number, "amount": payment.amount,
        }  # fmt: skip


class InvoiceIssueView(_OrderFormView):
    permission_required = "cashiering.add_invoice"
    form_name = "invoice_form"

    def build_form(self, order, data):
        return InvoiceForm(data)

    def save(self, order, form):
        invoice = services.invoice_issue(order=order, by=self.request.user, **form.cleaned_data)
        return _("Invoice %(number)s recorded.") % {"number": invoice}


class DeliveryExceptionView(_OrderFormView):
    permission_required = "cashiering.add_deliveryexception"
    form_name = "exception_form"

    def build_form(self, order, data):
        return ReasonForm(data)

    def save(self, order, form):
        exception = services.delivery_exception_authorise(
            order=order, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        return _("The car may leave with %(amount)s open.") % {"amount": exception.amount_open}


class PaymentVoidView(RecordActionView):
    model = Payment
    permission_required = "cashiering.void_payment"
    related = ("order",)
    form_class = ReasonForm

    def success_url(self, payment) -> str:
        from django.urls import reverse

        return reverse("cashiering:order", args=[payment.order_id])

    def act(self, payment, data):
        services.payment_void(payment=payment, by=self.request.user, reason=data["reason"])
        return _("Receipt %(number)s voided.") % {"number": payment.receipt_number}


class InvoiceVoidView(PaymentVoidView):
    model = Invoice
    permission_required = "cashiering.void_invoice"

    def act(self, invoice, data):
        services.invoice_void(invoice=invoice, by=self.request.user, reason=data["reason"])
        return _("Invoice %(number)s voided.") % {"number": invoice}


class ReceiptView(DealerScopedObjectMixin, View):
    """The printable receipt (收款收据) of one payment: an A5 HTML page the browser prints."""

    model = Payment
    permission_required = "cashiering.view_payment"

    def get(self, request, pk: int):
        payment = get_object_or_404(
            self.get_queryset().select_related(
                "dealer", "order__vehicle", "order__customer", "received_by", "voided_by"
            ),
            pk=pk,
        )
        balance = selectors.order_balance(payment.order).of(payment.payer)
        return render(request, "cashiering/receipt.html", {"payment": payment, "balance": balance})


class CashReportView(LoginRequiredMixin, View):
    """The daily cash report (收银日报) per cashier: totals by method, counts, voids, refunds, deposits; Excel."""

    def get(self, request, export: bool = False):
        user = request.user
        if not user.has_perm("cashiering.view_payment"):
            raise Http404
        dealers = dealers_for(user)
        cashiers = User.objects.filter(dealer_memberships__dealer__in=dealers).distinct().order_by("username")
        form = CashReportForm(request.GET or None, dealers=dealers, cashiers=cashiers)
        if request.GET and not form.is_valid():
            return render(request, "cashiering/report.html", {"form": form}, status=400)
        data = form.cleaned_data if request.GET else {}
        day = data.get("day") or timezone.localdate()
        dealer = data.get("dealer") or (dealers.first() if len(dealers) == 1 else None)
        cashier = data.get("cashier")
        report = selectors.cash_report(user=user, day=day, dealer=dealer, cashier=cashier)
        payments = list(selectors.payments_of_day(user=user, day=day, dealer=dealer, cashier=cashier).select_related(
            "order__vehicle"))  # fmt: skip
        if export:
            return _report_xlsx(report, payments, dealer)
        context = {"form": form, "report": report, "payments": payments, "dealer": dealer, "cashier": cashier,
                   "query": request.GET.urlencode()}  # fmt: skip
        return render(request, "cashiering/report.html", context)


def _report_xlsx(report, payments, dealer):
    who = report.cashier.username if report.cashier else "all"
    summary = Sheet(
        title=_("Cash report"),
        header=[_("Payment method"), _("Received"), _("Refunded"), _("Net"), _("Count")],
        rows=[
            *[[m.label, m.received, m.refunded, m.net, m.count] for m in report.methods],
            [_("Total"), report.payments_total + report.deposits_total, report.refunds_total, report.net,
             report.payment_count + report.deposit_count + report.refund_count],
            [],
            [_("Deposits"), report.deposits_total, None, None, report.deposit_count],
            [_("Payments"), report.payments_total, None, None, report.payment_count],
            [_("Refunds"), None, report.refunds_total, None, report.refund_count],
            [_("Voided"), report.voids_total, None, None, report.void_count],
            [_("Cash in the drawer"), report.cash_in_drawer, None, None, None],
            [_("Invoices issued"), report.invoices_total, None, None, report.invoice_count],
        ],
    )  # fmt: skip
    detail = Sheet(
        title=_("Payments"),
        header=[_("Receipt no."), _("Received at"), _("Cashier"), _("RO number"), _("Plate"), _("Payer"), _("Kind"),
                _("Payment method"), _("Amount"), _("Amount tendered"), _("Change given"), _("Reference"),
                _("Voided"), _("Reason for voiding")],
        rows=[[p.receipt_number, timezone.localtime(p.received_at).replace(tzinfo=None), str(p.received_by),
               p.order.number, p.order.vehicle.plate, p.get_payer_display(), p.get_kind_display(),
               p.get_method_display(), p.signed_amount, p.tendered, p.change_given, p.reference,
               _("yes") if p.voided else "", p.void_reason] for p in payments],
    )  # fmt: skip
    code = dealer.code if dealer is not None else "all"
    return xlsx_sheets_response(filename=f"cash-report-{code}-{report.day:%Y%m%d}-{who}.xlsx", sheets=[summary, detail])
