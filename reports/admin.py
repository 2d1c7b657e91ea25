from django.contrib import admin

from accounts.admin import AuditedAdmin, ReadOnlyAdmin
from booking.models_feedback import Feedback
from reports.models import DataRequestLog, WallSettings


@admin.register(WallSettings)
class WallSettingsAdmin(AuditedAdmin):
    list_display = ["__str__", "is_public", "updated_at"]

    def has_add_permission(self, request):
        return not WallSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequestLog)
class DataRequestLogAdmin(ReadOnlyAdmin):
    """A record for staff; nobody edits or removes it."""

    list_display = ["created_at", "kind", "company_id_ref", "requested_by", "details"]
    list_filter = ["kind", "created_at"]
    date_hierarchy = "created_at"


# Feedback lives in booking/ (booking has no admin module of its own for it); reports shows it to staff.
@admin.register(Feedback)
class FeedbackAdmin(AuditedAdmin):
    list_display = ["booking", "kind", "score", "answered_at", "show_company", "sent_at"]
    list_filter = ["kind", "score", "show_company"]
    date_hierarchy = "answered_at"
    list_select_related = ["booking__company", "booking__consultant"]
    raw_id_fields = ["booking"]
    readonly_fields = ["booking", "kind", "score", "comment", "show_company", "due_at", "sent_at", "answered_at",
                       "alerted_at"]

    def has_add_permission(self, request):
        return False
