"""Admin of audit checklist templates: new templates are written here; a template used by an audit is read-only."""

from django.contrib import admin

from evaluation.models import AuditItem, AuditSection, AuditTemplate


def _used(template) -> bool:
    return template is not None and template.audits.exists()


class SectionInline(admin.TabularInline):
    model = AuditSection
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _used(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _used(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _used(obj)


@admin.register(AuditTemplate)
class AuditTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "created_at"]
    inlines = [SectionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "name", "description"] if _used(obj) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _used(obj)


class ItemInline(admin.TabularInline):
    model = AuditItem
    extra = 0


@admin.register(AuditSection)
class AuditSectionAdmin(admin.ModelAdmin):
    list_display = ["template", "code", "title", "position"]
    inlines = [ItemInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and _used(obj.template))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)
