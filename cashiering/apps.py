from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashieringConfig(AppConfig):
    """Cashiering (收银): amounts due per payer, payments and deposits with method and change, 发票, receipts, the
    delivery guard and the daily cash report."""

    name = "cashiering"
    verbose_name = _("Cashiering")
