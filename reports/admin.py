from django.contrib import admin

from accounts.admin import AuditedAdmin, ReadOnlyAdmin
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
