from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.audit import HIDDEN, audit_record, is_secret, plain
from accounts.models import AuditEntry, Company, Membership, User


def _changes(form) -> dict:
    """{field: {"old": …, "new": …}} for what `form` changed; a secret field says only that it changed."""
    changes = {}
    for name in form.changed_data:
        if is_secret(name):
            changes[name] = HIDDEN
            continue
        old, new = plain(form.initial.get(name)), plain(form.cleaned_data.get(name))
        if isinstance(old, list) and isinstance(new, list):  # many-to-many: compare as sets
            old, new = sorted(old, key=str), sorted(new, key=str)
        changes[name] = {"old": old, "new": new}
    return changes


def _inline_changes(formsets) -> list[tuple[dict, object]]:
    """What the inline formsets will add, change and delete: (row, form) per row, read before they are saved
    (a deleted row's pk is gone afterwards; an added row's pk is filled in afterwards from its form)."""
    rows = []
    for formset in formsets:
        model = formset.model._meta.model_name
        deleted = {id(f) for f in formset.deleted_forms} if formset.can_delete else set()
        for form in formset.initial_forms:
            if id(form) in deleted:
                rows.append(({"model": model, "op": "delete", "id": form.instance.pk,
                              "label": plain(str(form.instance))}, form))
            elif form.has_changed():
                rows.append(({"model": model, "op": "change", "id": form.instance.pk, "fields": _changes(form)},
                             form))
        for form in formset.extra_forms:
            if form.has_changed() and id(form) not in deleted:
                rows.append(({"model": model, "op": "add", "id": None, "fields": _changes(form)}, form))
    return rows


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record staff may read and filter; nobody adds, edits or removes a row."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose add, change and delete go to the audit log (AuditEntry) as well as Django's admin log.

    Hooks in where the form and its inlines are at hand and inside the admin's own transaction: `save_related`
    (after the object and its inlines are saved: old and new values of every changed field, inline rows added,
    changed, deleted), `delete_model` and `delete_queryset` (the bulk "delete selected" action). A change form
    saved without changes writes nothing. Custom admin actions record their own entry (`audit_record`).
    """

    def save_related(self, request, form, formsets, change):
        inlines = _inline_changes(formsets)
        super().save_related(request, form, formsets, change)
        fields = _changes(form)
        if change and not (fields or inlines):
            return
        for row, inline_form in inlines:
            if row["op"] == "add":
                row["id"] = inline_form.instance.pk
        data = {"fields": fields}
        if inlines:
            data["inlines"] = [row for row, _form in inlines]
        audit_record(actor=request.user, action="admin.change" if change else "admin.add", target=form.instance,
                     **data)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", target=obj)
            super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Preferences"), {"fields": ["name", "time_zone", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "company"
    extra = 0
    raw_id_fields = ["user", "invited_by"]


@admin.register(Company)
class CompanyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "country", "org_number", "industry", "size", "created_at"]
    list_filter = ["country", "industry", "size"]
    search_fields = ["name", "org_number"]
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, read-only for everyone: nobody adds, edits or removes an entry."""

    list_display = ["created_at", "actor_email", "action", "target_link", "data"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter),
                   ("target_type", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_email", "action", "target_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    readonly_fields = ["created_at", "actor", "actor_email", "action", "target_type", "target_id", "target_link",
                       "data"]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("object"), ordering="target_label")
    def target_link(self, obj):
        label = obj.target_label or obj.target_id or "—"
        ct = obj.target_type
        if ct is None or not obj.target_id:
            return label
        try:
            url = reverse(f"admin:{ct.app_label}_{ct.model}_change", args=[obj.target_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)
