from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import AuditedAdmin
from accounts.audit import audit_record
from accounts.forms import time_zone_choices
from consultants.models import AvailabilityRule, Blackout, Consultant, ConsultantExpertise, ConsultantLanguage, Slot
from consultants.public_cache import public_pages_changed
from consultants.services import ConsultantError, consultant_invite, consultant_send_invitation


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=150)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="Europe/Stockholm")
    language = forms.ChoiceField(label=_("Language"), choices=[("en", "English"), ("sv", "Svenska"),
                                                                ("da", "Dansk")])


class ExpertiseInline(admin.TabularInline):
    model = ConsultantExpertise
    extra = 0


class LanguageInline(admin.TabularInline):
    model = ConsultantLanguage
    extra = 0


class RuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 0
    fields = ["kind", "ordinal", "weekday", "on_date", "start_time", "end_time", "session_minutes",
              "buffer_minutes", "is_active"]


@admin.register(Consultant)
class ConsultantAdmin(AuditedAdmin):
    list_display = ["display_name", "user", "city", "time_zone", "is_public", "hidden_by_staff",
                    "last_published_month"]
    list_filter = ["hidden_by_staff", "is_public", "time_zone"]
    search_fields = ["display_name", "user__email", "slug"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["feed_token_hash", "last_published_month", "created_at"]
    inlines = [ExpertiseInline, LanguageInline, RuleInline]
    actions = ["hide_profiles", "show_profiles", "send_invitation"]
    change_list_template = "consultants/admin/change_list.html"

    def get_urls(self):
        return [path("invite/", self.admin_site.admin_view(self.invite_view), name="consultants_consultant_invite"),
                *super().get_urls()]

    def invite_view(self, request):
        """Invite a new consultant: account + profile + e-mail with a link to set a password."""
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    consultant = consultant_invite(**form.cleaned_data)
                    audit_record(actor=request.user, action="consultant.invite", target=consultant,
                                 email=consultant.user.email)
            except ConsultantError:
                form.add_error("email", _("This person is already an active consultant."))
            else:
                self.message_user(request, _("Invitation sent to %(email)s.") % {"email": consultant.user.email})
                return redirect("admin:consultants_consultant_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Invite a consultant")}
        return TemplateResponse(request, "consultants/admin/invite.html", context)

    def _set_hidden(self, request, queryset, *, hidden: bool) -> int:
        # Only the profiles that change get an entry; the update and the entries commit together.
        with transaction.atomic():
            # Re-select by pk: the changelist's queryset may carry joins or DISTINCT, which FOR UPDATE refuses.
            changing = list(Consultant.objects.select_for_update()
                            .filter(pk__in=queryset.values("pk"), hidden_by_staff=not hidden).order_by("pk"))
            n = Consultant.objects.filter(pk__in=[c.pk for c in changing]).update(hidden_by_staff=hidden)
            public_pages_changed()
            for consultant in changing:
                audit_record(actor=request.user, action="consultant.hide" if hidden else "consultant.show",
                             target=consultant, hidden_by_staff={"old": not hidden, "new": hidden})
        return n

    @admin.action(description=_("Hide the selected profiles from companies"))
    def hide_profiles(self, request, queryset):
        n = self._set_hidden(request, queryset, hidden=True)
        self.message_user(request, ngettext("%d profile hidden.", "%d profiles hidden.", n) % n)

    @admin.action(description=_("Show the selected profiles again"))
    def show_profiles(self, request, queryset):
        n = self._set_hidden(request, queryset, hidden=False)
        self.message_user(request, ngettext("%d profile shown.", "%d profiles shown.", n) % n)

    @admin.action(description=_("Send invitation (a link to set a password)"))
    def send_invitation(self, request, queryset):
        sent = 0
        for consultant in queryset.select_related("user"):
            with transaction.atomic():
                if consultant_send_invitation(consultant=consultant):
                    audit_record(actor=request.user, action="consultant.send_invitation", target=consultant,
                                 email=consultant.user.email)
                    sent += 1
        skipped = queryset.count() - sent
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent)
        if skipped:
            self.message_user(request, ngettext(
                "%d consultant already has a password and was not invited again.",
                "%d consultants already have a password and were not invited again.", skipped) % skipped,
                messages.WARNING)


@admin.register(Slot)
class SlotAdmin(AuditedAdmin):
    list_display = ["consultant", "starts_at", "ends_at", "status", "off_reason", "busy", "rule", "added_by_hand"]
    list_filter = ["status", "off_reason", "busy"]
    search_fields = ["consultant__display_name"]
    list_select_related = ["consultant", "rule"]
    date_hierarchy = "starts_at"
    readonly_fields = ["rule", "added_by_hand", "off_reason", "busy", "held_until"]


@admin.register(Blackout)
class BlackoutAdmin(AuditedAdmin):
    list_display = ["consultant", "start_date", "end_date", "start_time", "end_time", "note"]
    list_select_related = ["consultant"]
