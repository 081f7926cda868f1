"""API of the cash desk: payments (list, read, take, void) and 发票 (list, read, record, void)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cashiering import services
from cashiering.api import serializers as s
from cashiering.models import Invoice, Payment
from core.api import DealerScopedViewSetMixin


class CanView(permissions.BasePermission):
    """The void action checks its own permission in the service (a 403 from it), after the read scope."""

    def has_permission(self, request, view):
        return request.user.has_perm(f"cashiering.view_{view.queryset.model._meta.model_name}")


class _CashViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):  # fmt: skip
    create_serializer = None
    filterset_fields = ["order", "payer"]

    def get_permissions(self):
        if self.action == "void":
            return [permissions.IsAuthenticated(), CanView()]
        return super().get_permissions()

    def _input(self, request, serializer_class):
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    def _reply(self, row, code=status.HTTP_200_OK):
        row = self.queryset.model.objects.select_related(*self.related).get(pk=row.pk)
        return Response(self.get_serializer_class()(row, context=self.get_serializer_context()).data, status=code)


class PaymentViewSet(_CashViewSet):
    """Payments, deposits and refunds at the cash desk of the user's dealers, newest first."""

    related = ("order", "received_by", "voided_by")
    queryset = Payment.objects.select_related(*related).order_by("-received_at", "-id")
    serializer_class = s.PaymentSerializer
    filterset_fields = ["order", "payer", "kind", "method", "received_by"]

    @extend_schema(request=s.PaymentCreateSerializer, responses={201: s.PaymentSerializer})
    def create(self, request):
        """Take a payment (at most what is open for the payer), a deposit, or pay a refund; a receipt no. is given."""
        data = self._input(request, s.PaymentCreateSerializer)
        payment = services.payment_take(order=data.pop("order"), by=request.user, **data)
        return self._reply(payment, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.PaymentSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void a payment entered by mistake, with the reason (it stays on record)."""
        payment = self.get_object()
        data = self._input(request, s.ReasonSerializer)
        return self._reply(services.payment_void(payment=payment, by=request.user, reason=data["reason"]))


class InvoiceViewSet(_CashViewSet):
    """发票 recorded for the repair orders of the user's dealers, newest first."""

    related = ("order", "issued_by", "voided_by")
    queryset = Invoice.objects.select_related(*related).order_by("-issued_at", "-id")
    serializer_class = s.InvoiceSerializer
    filterset_fields = ["order", "payer", "invoice_type"]

    @extend_schema(request=s.InvoiceCreateSerializer, responses={201: s.InvoiceSerializer})
    def create(self, request):
        """Record a 发票: the type, code and number from the tax system, the amount and the buyer."""
        data = self._input(request, s.InvoiceCreateSerializer)
        invoice = services.invoice_issue(order=data.pop("order"), by=request.user, **data)
        return self._reply(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void (作废/红冲) a recorded 发票, with the reason."""
        invoice = self.get_object()
        data = self._input(request, s.ReasonSerializer)
        return self._reply(services.invoice_void(invoice=invoice, by=request.user, reason=data["reason"]))
