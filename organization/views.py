"""Pages for dealers: one dealer's record (the list with its customer counts is dashboards.views.DealerListView)."""

from django.views.generic import DetailView

from core.history import history_entries
from core.mixins import DealerScopedObjectMixin
from organization.models import Dealer


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
