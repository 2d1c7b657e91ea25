from django.contrib import admin

from accounts.admin import AuditedAdmin, ReadOnlyAdmin
from reports.models import DataRequestLog, WallScreen, WallSettings


@admin.register(WallSettings)
class WallSettingsAdmin(AuditedAdmin):
    list_display = ["__str__", "is_public", "updated_at"]

    def has_add_permission(self, request):
        return not WallSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WallScreen)
class WallScreenAdmin(AuditedAdmin):
    """Screen links are made on /wall/screens/ (the link is shown once there); here staff see and revoke them."""

    list_display = ["name", "consultant", "created_by", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["consultant", "created_by"]
    readonly_fields = ["name", "consultant", "created_by", "created_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False


@admin.register(DataRequestLog)
class DataRequestLogAdmin(ReadOnlyAdmin):
    """A record for staff; nobody edits or removes it."""

    list_display = ["created_at", "kind", "company_id_ref", "requested_by", "details"]
    list_filter = ["kind", "created_at"]
    date_hierarchy = "created_at"
