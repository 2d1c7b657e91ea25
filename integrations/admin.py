from django.contrib import admin

from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Read and switch endpoints; the secret is never shown (owners rotate it on their page)."""

    list_display = ("__str__", "consultant", "is_active", "failing_since", "disabled_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "consultant__display_name")
    readonly_fields = ("consultant", "failing_since", "disabled_at", "created_by", "created_at", "updated_at")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempted_at", "duration_ms", "status_code", "ok", "error_code", "is_replay")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "next_attempt_at", "created_at")
    list_filter = ("status", "event")
    list_select_related = ("endpoint",)
    readonly_fields = ("endpoint", "event", "msg_id", "payload", "status", "attempts", "next_attempt_at",
                       "first_attempt_at", "last_status_code", "delivered_at", "created_at")
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
