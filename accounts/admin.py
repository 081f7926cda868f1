from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import DealerMembership, RegionMembership, User


class DealerMembershipInline(admin.TabularInline):
    model = DealerMembership
    extra = 0
    autocomplete_fields = ["dealer"]


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Users with their roles (groups) and the dealers/regions they work for."""

    inlines = [DealerMembershipInline, RegionMembershipInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "mobile")}),
    )
    list_display = ["username", "display_name", "is_active", "is_staff"]

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants superuser status or permissions beyond the role groups."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly
