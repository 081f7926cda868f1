"""Admin building blocks: the admin must not become a way around the services' rules."""

from simple_history.admin import SimpleHistoryAdmin

from core.services import save_next_version


class VersionedHistoryAdmin(SimpleHistoryAdmin):
    """History admin for versioned records: an admin save bumps the version, so no editor overwrites it.

    The fields that tie a record to a dealer (``tenant_fields``) are read-only once it exists.
    """

    tenant_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "version"]
        if obj is not None:
            readonly += list(self.tenant_fields)
        return readonly

    def save_model(self, request, obj, form, change):
        if change:  # the form has cleaned the fields
            save_next_version(obj, by=request.user, clean=False)
        else:
            super().save_model(request, obj, form, change)
