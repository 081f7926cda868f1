"""Pages for dealers: the list a user may see and one dealer's record."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.views.generic import DetailView, ListView

from core.history import history_entries
from core.mixins import DealerScopedObjectMixin
from customers.models import Customer
from organization.models import Dealer


class DealerListView(DealerScopedObjectMixin, ListView):
    model = Dealer
    permission_required = "organization.view_dealer"
    paginate_by = 50
    template_name = "organization/dealer_list.html"

    def get_queryset(self):
        customer_counts = (
            Customer.objects.filter(dealer=OuterRef("pk"))
            .order_by()
            .values("dealer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset()
            .select_related("region")
            .prefetch_related("brands")
            # A correlated count for the rows on the page only: a JOIN + GROUP BY would count every
            # customer of every dealer in scope (twice, with the paginator's count) on each page view.
            .annotate(customer_count=Coalesce(Subquery(customer_counts, output_field=IntegerField()), 0))
            .order_by("code")
        )


class DealerDetailView(DealerScopedObjectMixin, DetailView):
    model = Dealer
    permission_required = "organization.view_dealer"
    template_name = "organization/dealer_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region__oem").prefetch_related("brands")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        context["staff"] = self.object.memberships.select_related("user").prefetch_related("user__groups")
        return context
