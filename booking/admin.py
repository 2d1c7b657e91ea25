from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import AuditedAdmin
from accounts.audit import audit_record
from booking.models import Booking, FairUsePolicy, IntakeAnswer, PipelineEvent, Question, Questionnaire
from booking.services import BookingError, booking_cancel


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


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the company and the consultant)"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description=_("Cancel the selected bookings"), permissions=["change"])
def cancel_bookings(modeladmin, request, queryset):
    """Staff cancel through the same service as the company: both sides are mailed, the slot is offered again,
    the timeline shows who. A confirmation page first (with an optional reason), since it cannot be undone."""
    form = CancelForm(request.POST if "confirm" in request.POST else None)
    if not form.is_valid():
        bookings = queryset.select_related("company", "consultant", "slot").filter(status__in=Booking.ACTIVE)
        context = {**modeladmin.admin_site.each_context(request), "opts": modeladmin.model._meta,
                   "title": _("Cancel bookings"), "form": form, "bookings": bookings,
                   "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                   "select_across": request.POST.get("select_across") == "1",
                   "action": "cancel_bookings", "skipped": queryset.exclude(status__in=Booking.ACTIVE).count()}
        return TemplateResponse(request, "booking/admin/cancel_bookings.html", context)
    reason = form.cleaned_data["reason"]
    done = 0
    for booking in queryset.select_related("company", "consultant", "slot").order_by("pk"):
        try:
            with transaction.atomic():  # the audit entry commits or rolls back with the cancellation
                was = booking.status
                booking_cancel(booking=booking, by=request.user, reason=reason)
                audit_record(actor=request.user, action="booking.cancel", target=booking, status_from=was,
                             slot_id=booking.slot_id, starts_at=booking.slot.starts_at, reason=booking.cancel_reason)
        except BookingError as e:
            modeladmin.message_user(request, f"{booking}: {e.message}", messages.ERROR)
        else:
            done += 1
    modeladmin.message_user(request, ngettext("%(n)d booking cancelled.", "%(n)d bookings cancelled.", done)
                            % {"n": done})
    return None


@admin.register(Booking)
class BookingAdmin(AuditedAdmin):
    """Read-mostly: every change goes through the services (the site's pages), so mail and slots stay right.
    The one staff action, cancelling, calls the same service."""

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
    actions = [cancel_bookings]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = ("order", "kind", "label", "help_text", "required", "choices")
    readonly_fields = fields


@admin.register(Questionnaire)
class QuestionnaireAdmin(AuditedAdmin):
    """Versions are immutable (answers point at them); consultants edit through their builder."""

    list_display = ("consultant", "version", "created_at")
    list_filter = ("consultant",)
    readonly_fields = ("consultant", "version", "created_at")
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False


@admin.register(FairUsePolicy)
class FairUsePolicyAdmin(AuditedAdmin):
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
