"""Template helpers of complaints: working time as hours and minutes, the crisis-alert block of the home page."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def worktime(value: timedelta | None) -> str:
    """A working-time span as "3 h 05 min" (working hours, not calendar days)."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


@register.inclusion_tag("complaints/_home_block.html", takes_context=True)
def complaint_home_block(context):
    """Open crisis alerts and overdue/escalated complaint counts for a manager's home page."""
    from complaints.selectors import home_summary

    user = context["user"]
    if not user.is_authenticated or not user.has_perm("complaints.view_crisisalert"):
        return {"show": False}
    return {"show": True, **home_summary(user=user)}
