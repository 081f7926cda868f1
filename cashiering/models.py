"""Cashiering (收银): amounts due per payer, payments and deposits with method, change, 发票, receipts, the delivery guard and the daily cash report."""

from django.db import models  # noqa: F401
