"""`manage.py stock_check`: prove that every stock item's on-hand equals the sum of its movements."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from parts.models import StockItem, StockMovement


class Command(BaseCommand):
    help = "Check the stock ledger: on-hand = sum of movements, nothing negative, reserved within on-hand."

    def handle(self, *args, **options):
        ledger = (
            StockMovement.objects.filter(item=OuterRef("pk"))
            .order_by()
            .values("item")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        zero = Value(0, output_field=DecimalField(max_digits=12, decimal_places=3))
        items = StockItem.objects.annotate(ledger=Coalesce(Subquery(ledger), zero))
        wrong = items.filter(
            ~Q(on_hand=F("ledger")) | Q(on_hand__lt=0) | Q(reserved__gt=F("on_hand")) | Q(reserved__lt=0)
        )
        count = items.count()
        problems = list(wrong.select_related("part", "warehouse")[:50])
        for item in problems:
            self.stderr.write(
                f"{item.warehouse.code} {item.part.number}: on hand {item.on_hand}, ledger {item.ledger}, "
                f"reserved {item.reserved}"
            )
        if problems:
            raise CommandError(f"{wrong.count()} of {count} stock items do not match their ledger", returncode=1)
        self.stdout.write(f"Stock ledger OK: {count} items, on hand = sum of movements for every one.")
