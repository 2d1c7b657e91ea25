"""The audit log itself: what `audit_record` stores, the admin mixin that records staff's add / change / delete,
and the read-only admin page where staff read the log."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import HIDDEN, audit_record
from accounts.models import AuditEntry, User
from engagements.models import GapItem, GapReport
from reports.models import WallSettings
from tests.factories import BookingFactory, GapItemFactory, GapReportFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/auditentry/"


def _post_data(response) -> dict:
    """The change form as the browser would post it back unchanged (main form, inlines, management forms)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


# --- audit_record ---------------------------------------------------------------------------------------------
def test_an_entry_keeps_the_actors_email_and_the_targets_label_after_both_are_gone():
    staff = UserFactory(is_staff=True, email="stina@example.com")
    booking = BookingFactory()
    entry = audit_record(actor=staff, action="booking.cancel", target=booking, reason="Ill")
    label, pk = str(booking), booking.pk

    staff.delete()
    booking.delete()
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_email, entry.action) == (None, "stina@example.com", "booking.cancel")
    assert (entry.target_type.model, entry.target_id, entry.target_label) == ("booking", str(pk), label)
    assert entry.data == {"reason": "Ill"}


def test_secret_looking_keys_are_never_stored_and_long_texts_are_cut():
    entry = audit_record(actor=None, action="test.secret", target=None, manage_token_hash="abc123",
                         password="hunter2", nested={"feed_token": "zzz", "ok": "x" * 5000}, amount=5)
    stored = json.dumps(AuditEntry.objects.get(pk=entry.pk).data)
    assert "abc123" not in stored and "hunter2" not in stored and "zzz" not in stored
    assert entry.data["manage_token_hash"] == HIDDEN and entry.data["amount"] == 5
    assert len(entry.data["nested"]["ok"]) == 200


def test_an_entry_cannot_be_changed_once_written():
    entry = audit_record(actor=None, action="test.append_only", target=None)
    entry.action = "test.rewritten"
    with pytest.raises(ValueError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.append_only"


# --- the admin mixin ------------------------------------------------------------------------------------------
def test_changing_a_gap_report_and_its_items_in_the_admin_writes_one_entry_with_old_and_new_values(
        client, staff_user):
    report = GapReportFactory(summary="Old summary")
    item = GapItemFactory(report=report, title="Old gap", priority="high")
    gone = GapItemFactory(report=report, title="Gone gap")
    client.force_login(staff_user)
    url = f"/admin/engagements/gapreport/{report.pk}/change/"
    data = _post_data(client.get(url))
    data["summary"] = "New summary"
    prefix = "items"
    forms = [k for k in data if k.startswith(prefix) and k.endswith("-id")]
    by_id = {data[k]: k.removesuffix("-id") for k in forms}
    data[f"{by_id[item.pk]}-title"] = "New gap"
    data[f"{by_id[gone.pk]}-DELETE"] = "on"
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update({f"{prefix}-TOTAL_FORMS": n + 1, f"{prefix}-{n}-title": "Added gap", f"{prefix}-{n}-priority": "low",
                 f"{prefix}-{n}-position": 9, f"{prefix}-{n}-report": report.pk})

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff_user, "admin.change", str(report.pk))
    assert entry.data["fields"] == {"summary": {"old": "Old summary", "new": "New summary"}}
    added = GapItem.objects.get(title="Added gap")
    rows = {(r["op"], r["id"]): r for r in entry.data["inlines"]}
    assert set(rows) == {("change", item.pk), ("delete", gone.pk), ("add", added.pk)}
    assert rows[("change", item.pk)]["fields"] == {"title": {"old": "Old gap", "new": "New gap"}}


def test_saving_a_form_without_changes_writes_no_entry(client, staff_user):
    report = GapReportFactory()
    GapItemFactory(report=report)
    client.force_login(staff_user)
    url = f"/admin/engagements/gapreport/{report.pk}/change/"
    assert client.post(url, _post_data(client.get(url))).status_code == 302
    assert not AuditEntry.objects.exists()


def test_an_invalid_admin_form_writes_no_entry(client, staff_user):
    report = GapReportFactory()
    client.force_login(staff_user)
    url = f"/admin/engagements/gapreport/{report.pk}/change/"
    data = _post_data(client.get(url))
    data["booking"] = 10**12  # no such booking
    assert client.post(url, data).status_code == 200
    assert not AuditEntry.objects.exists()


def test_adding_in_the_admin_writes_an_add_entry(client, staff_user):
    WallSettings.objects.all().delete()
    client.force_login(staff_user)
    response = client.post("/admin/reports/wallsettings/add/", {"is_public": "on"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_id, entry.actor_email) == ("admin.add", "1", staff_user.email)
    assert entry.data["fields"]["is_public"] == {"old": None, "new": True}


def test_deleting_in_the_admin_writes_one_entry_per_object_and_rolls_back_with_the_delete(client, staff_user):
    reports = [GapReportFactory(), GapReportFactory()]
    client.force_login(staff_user)

    assert client.post(f"/admin/engagements/gapreport/{reports[0].pk}/delete/", {"post": "yes"}).status_code == 302
    assert client.post("/admin/engagements/gapreport/", {"action": "delete_selected", "post": "yes",
                                                         "_selected_action": [reports[1].pk]}).status_code == 302

    assert not GapReport.objects.exists()
    entries = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.target_id) for e in entries] == [("admin.delete", str(r.pk)) for r in reports]
    assert all(e.actor == staff_user for e in entries)


def test_a_password_set_in_the_admin_is_recorded_as_changed_but_never_stored(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/admin/accounts/user/add/", {
        "email": "new@example.com", "password1": "Correct-Horse-42", "password2": "Correct-Horse-42",
        "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.add")
    assert entry.target_label == "new@example.com"
    assert "Correct-Horse-42" not in json.dumps(entry.data)
    assert entry.data["fields"]["password1"] == HIDDEN  # that it was set, not what it is


# --- the read-only admin of the log ---------------------------------------------------------------------------
def _entries(n: int) -> None:
    for i in range(n):
        audit_record(actor=UserFactory(is_staff=True), action=f"test.action{i % 3}", target=BookingFactory(),
                     note=f"entry {i}")


def test_staff_read_the_log_but_nobody_adds_changes_or_deletes_an_entry(client, staff_user):
    _entries(1)
    entry = AuditEntry.objects.get()
    client.force_login(staff_user)

    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "test.action0" in page.content.decode()
    assert "delete_selected" not in page.content.decode()
    assert client.get(f"{CHANGELIST}{entry.pk}/change/").status_code == 200  # view-only
    assert client.post(f"{CHANGELIST}{entry.pk}/change/", {"action": "rewritten"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(CHANGELIST, {"action": "delete_selected", "post": "yes", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.action == "test.action0"


def test_the_log_is_hidden_from_people_who_are_not_staff_and_from_staff_without_the_permission(client):
    _entries(1)
    client.force_login(UserFactory())
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    staff = User.objects.get(pk=staff.pk)  # a fresh permission cache
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 200


def test_the_changelist_needs_as_many_queries_for_30_entries_as_for_3(
        client, staff_user, django_assert_max_num_queries):
    client.force_login(staff_user)
    _entries(3)
    client.get(CHANGELIST)  # warm the content-type cache and the session
    with CaptureQueriesContext(connection) as three:
        assert client.get(CHANGELIST).content.decode().count("test.action") >= 3
    _entries(27)

    with django_assert_max_num_queries(len(three)):
        page = client.get(CHANGELIST).content.decode()
    assert page.count('class="field-action"') == 30


def test_the_log_links_each_entry_to_its_object_in_the_admin(client, staff_user):
    booking = BookingFactory()
    audit_record(actor=staff_user, action="booking.cancel", target=booking)
    client.force_login(staff_user)
    assert f'href="/admin/booking/booking/{booking.pk}/change/"' in client.get(CHANGELIST).content.decode()
