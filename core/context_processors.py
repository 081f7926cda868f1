"""Template context shared by every page."""

from core.navigation import nav_for


def navigation(request) -> dict:
    """The menu for the logged-in user and the name of the current page."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match and match.namespace else getattr(match, "url_name", "")
    return {"nav_items": nav_for(user) if user else [], "current_url_name": current}
