"""Forms of the parts pages: catalogue filters, import upload, stock receipt and adjustment."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from parts.choices import MovementKind
from parts.models import Warehouse
from parts.services.catalogue_io import CATALOGUE_UPLOAD


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"), validators=[CATALOGUE_UPLOAD])
    dealer = forms.ModelChoiceField(
        label=_("Prices of dealer"),
        queryset=None,
        required=False,
        help_text=_("Needed when the file has cost or retail prices."),
    )

    def __init__(self, *args, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers
        if dealers.count() == 1:
            self.fields["dealer"].initial = dealers.first().pk


class StockReceiveForm(forms.Form):
    quantity = forms.DecimalField(label=_("quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit_cost = forms.DecimalField(label=_("unit cost"), max_digits=14, decimal_places=4, min_value=Decimal("0"))
    reason = forms.CharField(label=_("reference (delivery note, supplier)"), max_length=200, required=False)


class StockAdjustForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("quantity (+ in, − out)"), max_digits=12, decimal_places=3, help_text=_("Negative to take out.")
    )
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (MovementKind.ADJUSTMENT, MovementKind.ADJUSTMENT.label),
            (MovementKind.STOCKTAKE, MovementKind.STOCKTAKE.label),
        ],
        initial=MovementKind.ADJUSTMENT,
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class StockTransferForm(forms.Form):
    to_warehouse = forms.ModelChoiceField(label=_("to warehouse"), queryset=Warehouse.objects.none())
    quantity = forms.DecimalField(label=_("quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"))

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_warehouse"].queryset = Warehouse.objects.filter(dealer_id=item.warehouse.dealer_id).exclude(
            pk=item.warehouse_id
        )


class ReceiveIntoWarehouseForm(forms.Form):
    """Receive a part into one of the user's warehouses, creating its stock item there if needed."""

    warehouse = forms.ModelChoiceField(label=_("warehouse"), queryset=Warehouse.objects.none())
    quantity = forms.DecimalField(label=_("quantity"), max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit_cost = forms.DecimalField(label=_("unit cost"), max_digits=14, decimal_places=4, min_value=Decimal("0"))
    reason = forms.CharField(label=_("reference (delivery note, supplier)"), max_length=200, required=False)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
