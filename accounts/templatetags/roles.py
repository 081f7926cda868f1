"""Template filters for roles (Django groups named after accounts.choices.Role)."""

from django import template

from accounts.choices import Role

register = template.Library()


@register.filter
def role_label(group_name: str) -> str:
    """The translated label of a role group name (unknown names are shown as they are)."""
    try:
        return str(Role(group_name).label)
    except ValueError:
        return group_name
