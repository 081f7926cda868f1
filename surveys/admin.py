"""Admin: read-only views of survey records (every change goes through surveys.services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from surveys.models import DealerSurveySettings, Question, Questionnaire, SurveyInvitation, SurveyResponse


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "code", "text_zh", "kind", "dimension", "csi_factor", "weight", "required"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name_zh", "dealer", "is_active", "published_at"]
    list_filter = ["code", "is_active"]
    inlines = [QuestionInline]


@admin.register(DealerSurveySettings)
class DealerSurveySettingsAdmin(ReadOnlyAdmin):
    list_display = ["dealer", "questionnaire", "invite_after_delivery", "validity_days", "channel"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = ["repair_order", "dealer", "status", "created_at", "expires_at", "answered_at"]
    list_filter = ["status", "dealer"]
    exclude = ["token_hash"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["repair_order", "dealer", "channel", "submitted_at", "csi_score", "nps_score", "low_score"]
    list_filter = ["channel", "low_score", "dealer"]
