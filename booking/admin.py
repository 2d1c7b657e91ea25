from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from booking.models import Booking, FairUsePolicy, IntakeAnswer, PipelineEvent, Question, Questionnaire


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IntakeAnswerInline(ReadOnlyInline):
    model = IntakeAnswer
    fields = ("order", "question_label", "question_kind", "value")
    readonly_fields = fields


class PipelineEventInline(ReadOnlyInline):
    model = PipelineEvent
    fields = ("created_at", "kind", "actor_name", "data")
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-mostly: every change goes through the services (the site's pages), so mail and slots stay right."""

    list_display = ("id", "company", "consultant", "slot", "status", "created_at")
    list_filter = ("status", "consultant")
    search_fields = ("company__name", "consultant__display_name", "booked_by__email")
    list_select_related = ("company", "consultant", "slot__consultant")
    date_hierarchy = "created_at"
    inlines = [IntakeAnswerInline, PipelineEventInline]
    readonly_fields = ("slot", "consultant", "company", "booked_by", "status", "questionnaire", "created_at",
                       "confirmed_at", "cancelled_at", "cancel_reason", "cancelled_by", "invite_uid",
                       "invite_sequence", "request_expires_at")
    exclude = ("manage_token_hash",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ("order", "kind", "label", "help_text", "required", "choices")
    readonly_fields = fields


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Versions are immutable (answers point at them); consultants edit through their builder."""

    list_display = ("consultant", "version", "created_at")
    list_filter = ("consultant",)
    readonly_fields = ("consultant", "version", "created_at")
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False


@admin.register(FairUsePolicy)
class FairUsePolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "max_upcoming", "max_per_12_months", "max_same_consultant_12_months",
                    "no_show_limit", "no_show_block_months", "approval_expiry_hours", "waitlist_claim_hours")

    def changelist_view(self, request, extra_context=None):
        # One row: go straight to it.
        policy = FairUsePolicy.current()
        return redirect(reverse("admin:booking_fairusepolicy_change", args=[policy.pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
