"""Staff see that a source exists and how it syncs; never its address, user name or password."""

from django.contrib import admin

from calendars.models import BusyConflict, CalendarSource


@admin.register(CalendarSource)
class CalendarSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "consultant", "kind", "is_active", "last_synced_at", "last_error_code")
    list_filter = ("kind", "is_active", "last_error_code")
    search_fields = ("name", "consultant__display_name")
    # `secret` is not editable (so never in a form); the hint shows only scheme and host.
    fields = ("consultant", "kind", "name", "address_hint", "all_day_blocks", "is_active", "last_synced_at",
              "last_attempt_at", "last_error_code", "last_error_detail", "failing_since", "failure_mailed_at")
    readonly_fields = ("consultant", "kind", "address_hint", "last_synced_at", "last_attempt_at", "last_error_code",
                       "last_error_detail", "failing_since", "failure_mailed_at")

    def has_add_permission(self, request):
        return False  # a source is added by its consultant, who alone knows the secret address


@admin.register(BusyConflict)
class BusyConflictAdmin(admin.ModelAdmin):
    list_display = ("slot", "consultant", "detected_at", "mailed_at")
    readonly_fields = ("slot", "consultant", "detected_at", "mailed_at", "sending_until", "sending_claim")

    def has_add_permission(self, request):
        return False
