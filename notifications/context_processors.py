"""The header badge on every page (templates/notifications/_badge.html): at most one COUNT, only when shown."""

from notifications.selectors import Badge


def badge(request) -> dict:
    return {"notification_badge": Badge(getattr(request, "user", None))}
