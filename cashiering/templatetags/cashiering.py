"""``{% order_balance order as pay %}``: the cash desk's balance of a repair order, for the order page's include."""

from django import template

from cashiering import selectors

register = template.Library()


@register.simple_tag
def order_balance(order):
    """Due / received / outstanding per payer of the order (cashiering.selectors.order_balance)."""
    return selectors.order_balance(order)
