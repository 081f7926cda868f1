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
