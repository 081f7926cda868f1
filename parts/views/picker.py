"""htmx: the part picker of a repair order's line forms (the estimate's "Add a line" and the additional item)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from core.mixins import DealerScopedObjectMixin
from core.permissions import allowed
from parts.models import Part
from parts.selectors.picker import MIN_QUERY, part_picker_rows, picker_row
from repairs.models import RepairOrder
from repairs.state import ADVISE, WORK

SLOTS = ("line", "addition")  # which form of the order page the picker serves (ids of its page elements)


class PartPickerView(DealerScopedObjectMixin, View):
    """``?order=<pk>&slot=line&q=…``: the matching parts as rows to pick; ``&pick=<part pk>``: the picked part's
    summary with the form's hidden ``part`` field; ``&clear=1``: nothing picked. Only for the desk and the workshop
    of the order's dealer (another dealer's order, or a user who adds no lines there, is a 404)."""

    model = RepairOrder
    permission_required = "parts.view_part"
    write_scope = True

    def get(self, request):
        params = request.GET
        order_pk, slot = params.get("order", ""), params.get("slot", "line")
        if not order_pk.isdigit() or slot not in SLOTS:
            raise Http404
        order = get_object_or_404(self.get_queryset().select_related("vehicle"), pk=order_pk)
        if not allowed(request.user, any_of=(ADVISE, WORK), dealer=order.dealer_id):
            raise Http404
        context = {"order": order, "slot": slot}
        if params.get("clear"):
            return render(request, "parts/_picker_chosen.html", context)
        pick = params.get("pick", "")
        if pick:
            if not pick.isdigit():
                raise Http404
            part = get_object_or_404(Part.objects.filter(is_active=True), pk=pick)
            return render(request, "parts/_picker_chosen.html", {**context, "row": picker_row(order=order, part=part)})
        query = params.get("q", "").strip()[:100]
        context.update(query=query, rows=part_picker_rows(order=order, query=query), min_query=MIN_QUERY)
        return render(request, "parts/_picker_results.html", context)
