from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from todo.models import Task


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "dealer", "role", "assignee", "due_at", "status"]
    list_filter = ["kind", "status", "dealer"]
    list_select_related = ["dealer", "assignee"]
    raw_id_fields = ["customer", "vehicle", "repair_order", "assignee", "done_by"]
