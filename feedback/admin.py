from django.contrib import admin

from accounts.admin import AuditedAdmin
from feedback.models import Feedback


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
