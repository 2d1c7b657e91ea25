from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import AuditedAdmin
from engagements.models import (
    Engagement,
    GapItem,
    GapReport,
    Invoice,
    Payment,
    PaymentAttempt,
    SellerSettings,
    StripeEvent,
)
from engagements.services import EngagementError, engagement_cancel, invoice_mark_paid


class GapItemInline(admin.TabularInline):
    model = GapItem
    extra = 0


@admin.register(GapReport)
class GapReportAdmin(AuditedAdmin):
    list_display = ["booking", "shared_at", "updated_at"]
    list_select_related = ["booking__company", "booking__consultant"]
    raw_id_fields = ["booking"]
    inlines = [GapItemInline]


@admin.action(description=_("Withdraw the selected proposals (unpaid ones only)"))
def cancel(modeladmin, request, queryset):
    done = 0
    for engagement in queryset.select_related("booking", "consultant__user"):
        try:
            engagement_cancel(engagement=engagement, by=request.user)
            done += 1
        except EngagementError as e:
            modeladmin.message_user(request, f"{engagement}: {e.message}", messages.ERROR)
    modeladmin.message_user(request, ngettext("%(n)d proposal withdrawn.", "%(n)d proposals withdrawn.", done)
                            % {"n": done})


@admin.register(Engagement)
class EngagementAdmin(AuditedAdmin):
    """Read-only: terms and status change only through the services (timeline, mail, payments follow)."""

    list_display = ["title", "company", "consultant", "status", "amount_minor", "currency", "valid_until"]
    list_filter = ["status", "currency"]
    list_select_related = ["company", "consultant"]
    search_fields = ["title", "company__name", "consultant__display_name"]
    readonly_fields = [f.name for f in Engagement._meta.fields]
    actions = [cancel]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentAttemptInline(admin.TabularInline):
    model = PaymentAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["idempotency_key", "session_id", "checkout_url", "status", "created_at", "closed_at"]


@admin.register(Payment)
class PaymentAdmin(AuditedAdmin):
    list_display = ["pk", "engagement", "provider", "status", "total_minor", "currency", "paid_at"]
    list_filter = ["provider", "status"]
    list_select_related = ["engagement"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [PaymentAttemptInline]


@admin.action(description=_("Mark the selected invoices as paid"))
def mark_paid(modeladmin, request, queryset):
    done = 0
    for invoice in queryset.select_related("payment"):
        try:
            done += invoice_mark_paid(payment=invoice.payment, by=request.user)
        except EngagementError as e:
            modeladmin.message_user(request, f"{invoice.number}: {e.message}", messages.ERROR)
    modeladmin.message_user(request, ngettext("%(n)d invoice marked as paid.", "%(n)d invoices marked as paid.",
                                              done) % {"n": done})


@admin.register(Invoice)
class InvoiceAdmin(AuditedAdmin):
    list_display = ["number", "company_name", "total_minor", "currency", "issued_on", "due_on", "payment_status"]
    list_select_related = ["payment"]
    search_fields = ["number", "company_name"]
    readonly_fields = [f.name for f in Invoice._meta.fields]
    actions = [mark_paid]

    @admin.display(description=_("payment"))
    def payment_status(self, obj):
        return obj.payment.get_status_display()

    def has_add_permission(self, request):
        return False  # numbers come only from the sequence, when a proposal is accepted

    def has_delete_permission(self, request, obj=None):
        return False  # a gap-free sequence never loses a number


@admin.register(StripeEvent)
class StripeEventAdmin(AuditedAdmin):
    list_display = ["event_id", "type", "livemode", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id"]
    readonly_fields = ["event_id", "type", "livemode", "received_at"]


class SellerSettingsForm(forms.ModelForm):
    class Meta:
        model = SellerSettings
        fields = ["legal_name", "address", "country", "org_number", "vat_number", "f_tax", "email", "bankgiro",
                  "plusgiro", "iban", "bic", "fi_creditor_number", "ocr_length_digit"]

    def clean_fi_creditor_number(self):
        value = self.cleaned_data["fi_creditor_number"].strip()
        if value and not (len(value) == 8 and value.isdigit()):
            raise forms.ValidationError(_("A FI creditor number has 8 digits."))
        return value

    def clean_iban(self):
        value = "".join(self.cleaned_data["iban"].split()).upper()
        if value:
            rearranged = value[4:] + value[:4]
            digits = "".join(str(int(ch, 36)) for ch in rearranged) if rearranged.isalnum() else ""
            if len(value) < 15 or not digits or int(digits) % 97 != 1:
                raise forms.ValidationError(_("This is not a valid IBAN."))
        return value

    def clean_vat_number(self):
        return "".join(self.cleaned_data["vat_number"].split()).upper()


@admin.register(SellerSettings)
class SellerSettingsAdmin(AuditedAdmin):
    """The seller named on every new invoice; one row (pk 1)."""

    form = SellerSettingsForm
    list_display = ["legal_name", "country", "org_number", "vat_number", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return not SellerSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)
