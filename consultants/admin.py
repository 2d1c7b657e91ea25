from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultants.models import AvailabilityRule, Blackout, Consultant, ConsultantExpertise, ConsultantLanguage, Slot
from consultants.services import consultant_send_invitation


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
              "buffer_minutes", "monthly_cap", "min_notice_hours", "is_active"]


@admin.register(Consultant)
class ConsultantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "city", "time_zone", "is_public", "hidden_by_staff",
                    "last_published_month"]
    list_filter = ["hidden_by_staff", "is_public", "time_zone"]
    search_fields = ["display_name", "user__email", "slug"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["feed_token_hash", "last_published_month", "created_at"]
    inlines = [ExpertiseInline, LanguageInline, RuleInline]
    actions = ["hide_profiles", "show_profiles", "send_invitation"]

    @admin.action(description=_("Hide the selected profiles from companies"))
    def hide_profiles(self, request, queryset):
        n = queryset.update(hidden_by_staff=True)
        self.message_user(request, ngettext("%d profile hidden.", "%d profiles hidden.", n) % n)

    @admin.action(description=_("Show the selected profiles again"))
    def show_profiles(self, request, queryset):
        n = queryset.update(hidden_by_staff=False)
        self.message_user(request, ngettext("%d profile shown.", "%d profiles shown.", n) % n)

    @admin.action(description=_("Send invitation (a link to set a password)"))
    def send_invitation(self, request, queryset):
        sent = sum(1 for c in queryset.select_related("user") if consultant_send_invitation(consultant=c))
        skipped = queryset.count() - sent
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent)
        if skipped:
            self.message_user(request, ngettext(
                "%d consultant already has a password and was not invited again.",
                "%d consultants already have a password and were not invited again.", skipped) % skipped,
                messages.WARNING)


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["consultant", "starts_at", "ends_at", "status", "rule", "added_by_hand"]
    list_filter = ["status"]
    search_fields = ["consultant__display_name"]
    list_select_related = ["consultant", "rule"]
    date_hierarchy = "starts_at"
    readonly_fields = ["rule", "added_by_hand"]


@admin.register(Blackout)
class BlackoutAdmin(admin.ModelAdmin):
    list_display = ["consultant", "start_date", "end_date", "note"]
    list_select_related = ["consultant"]
