from django.contrib import admin

from accounts.admin import AuditedAdmin
from feedback.models import CustomerNpsSnapshot, Feedback


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


@admin.register(CustomerNpsSnapshot)
class CustomerNpsSnapshotAdmin(AuditedAdmin):
    """The companies' own customers' scores, for staff to look at (they are changed only by the company)."""

    list_display = ["booking", "phase", "source", "responses", "public_consent", "created_at"]
    list_filter = ["phase", "source", "public_consent"]
    list_select_related = ["booking__company"]
    readonly_fields = ["booking", "phase", "source", "counts", "monthly", "responses", "filename", "public_consent",
                       "uploaded_by", "created_at"]

    def has_add_permission(self, request):
        return False
