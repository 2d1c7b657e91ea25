"""Staff actions on bookings and payments leave a trace: who marked an invoice paid, withdrew a proposal or
cancelled a booking, and what they changed in the admin — on the lead's timeline where it belongs there, and
always as exactly one AuditEntry, written in the same transaction (a refused action writes none)."""

from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.audit import audit_record
from accounts.models import AuditEntry
from booking.models import Booking, PipelineEvent
from consultants.models import Consultant, Slot
from engagements.models import Engagement, Payment
from engagements.services import EngagementError, engagement_cancel, invoice_mark_paid
from tests.factories import UserFactory
from tests.security.world import build_world


def _staff_client(world) -> Client:
    client = Client()
    client.force_login(world.users["staff"])
    return client


def test_marking_an_invoice_paid_on_the_staff_page_records_who_and_when(db):
    world = build_world()
    staff = world.users["staff"]
    response = _staff_client(world).post(f"/staff/invoices/{world.invoice.pk}/mark-paid/", {"confirmed": "1"})
    assert response.status_code == 302
    payment = Payment.objects.get(pk=world.payment.pk)
    assert payment.status == "paid" and payment.marked_paid_by == staff and payment.paid_at is not None
    event = PipelineEvent.objects.get(booking=world.held_booking, kind="paid")
    assert event.data.get("marked_by") == staff.pk
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_email, entry.action) == (staff, staff.email, "invoice.mark_paid")
    assert (entry.target_type.model, entry.target_id) == ("invoice", str(world.invoice.pk))
    assert entry.data["total_minor"] == world.invoice.total_minor and entry.data["currency"] == "SEK"
    assert entry.data["invoice_number"] == world.invoice.number and entry.data["payment_id"] == world.payment.pk


def test_the_admin_mark_paid_action_records_who_and_when(db):
    world = build_world()
    staff = world.users["staff"]
    response = _staff_client(world).post("/admin/engagements/invoice/", {
        "action": "mark_paid", "_selected_action": [world.invoice.pk]})
    assert response.status_code == 302
    payment = Payment.objects.get(pk=world.payment.pk)
    assert payment.status == "paid" and payment.marked_paid_by == staff
    assert PipelineEvent.objects.get(booking=world.held_booking, kind="paid").data.get("marked_by") == staff.pk
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "invoice.mark_paid", str(world.invoice.pk))


def test_marking_an_invoice_paid_twice_writes_one_audit_entry(db):
    world = build_world()
    client = _staff_client(world)
    for _ in range(2):
        client.post(f"/staff/invoices/{world.invoice.pk}/mark-paid/", {"confirmed": "1"})
    assert invoice_mark_paid(payment=Payment.objects.get(pk=world.payment.pk), by=world.users["staff"]) is False
    assert AuditEntry.objects.filter(action="invoice.mark_paid").count() == 1


def test_a_refused_mark_paid_writes_no_audit_entry(db):
    world = build_world()
    with pytest.raises(EngagementError):
        invoice_mark_paid(payment=world.payment, by=world.users["consultant"])
    assert not AuditEntry.objects.exists()
    assert Payment.objects.get(pk=world.payment.pk).status == "pending"


def test_the_audit_entry_and_the_payment_roll_back_together(db):
    world = build_world()

    def record_then_fail(**kwargs):
        audit_record(**kwargs)
        raise RuntimeError("database went away")

    with mock.patch("engagements.services.audit_record", record_then_fail), pytest.raises(RuntimeError):
        invoice_mark_paid(payment=world.payment, by=world.users["staff"])
    assert not AuditEntry.objects.exists()
    assert Payment.objects.get(pk=world.payment.pk).status == "pending"
    assert not PipelineEvent.objects.filter(booking=world.held_booking, kind="paid").exists()


def test_a_payment_cannot_be_edited_in_the_admin(db):
    world = build_world()
    client = _staff_client(world)
    url = f"/admin/engagements/payment/{world.payment.pk}/change/"
    client.post(url, {"status": "paid", "amount_minor": 1, "vat_minor": 0, "total_minor": 1})
    payment = Payment.objects.get(pk=world.payment.pk)
    assert (payment.status, payment.total_minor) == ("pending", world.payment.total_minor)


def test_a_booking_cannot_be_changed_or_deleted_in_the_admin(db):
    world = build_world()
    client = _staff_client(world)
    booking = world.booking
    client.post(f"/admin/booking/booking/{booking.pk}/change/", {"status": "cancelled"})
    assert client.get(f"/admin/booking/booking/{booking.pk}/delete/").status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_an_engagements_terms_cannot_be_edited_in_the_admin(db):
    world = build_world()
    engagement = world.engagement_accepted
    client = _staff_client(world)
    client.post(f"/admin/engagements/engagement/{engagement.pk}/change/", {
        "title": "Cheaper", "amount_minor": 1, "currency": "EUR", "vat_rate_bp": 0, "status": "paid"})
    engagement.refresh_from_db()
    assert (engagement.amount_minor, engagement.currency, engagement.status) == (1_000_000, "SEK", "accepted")


def test_a_proposal_withdrawn_in_the_admin_is_on_the_timeline_with_the_staff_member(db):
    world = build_world()
    engagement = world.engagement_proposed
    response = _staff_client(world).post("/admin/engagements/engagement/", {
        "action": "cancel", "_selected_action": [engagement.pk]})
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "cancelled"
    event = PipelineEvent.objects.filter(booking=world.held_booking).order_by("-pk").first()
    assert event.actor == world.users["staff"], (event.kind, event.actor)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (world.users["staff"], "engagement.withdraw")
    assert (entry.target_type.model, entry.target_id) == ("engagement", str(engagement.pk))
    assert entry.data["status_from"] == "proposed" and entry.data["amount_minor"] == engagement.amount_minor


def test_withdrawing_an_accepted_proposal_in_the_admin_records_the_cancelled_payment(db):
    world = build_world()
    engagement = world.engagement_accepted
    _staff_client(world).post("/admin/engagements/engagement/", {
        "action": "cancel", "_selected_action": [engagement.pk]})
    assert Payment.objects.get(pk=world.payment.pk).status == "cancelled"
    entry = AuditEntry.objects.get(action="engagement.withdraw")
    assert entry.data["status_from"] == "accepted" and entry.data["payments_cancelled"] == 1


def test_a_proposal_that_cannot_be_withdrawn_writes_no_audit_entry(db):
    world = build_world()
    engagement = world.engagement_proposed
    Engagement.objects.filter(pk=engagement.pk).update(status="declined")
    response = _staff_client(world).post("/admin/engagements/engagement/", {
        "action": "cancel", "_selected_action": [engagement.pk]})
    assert response.status_code == 302
    assert Engagement.objects.get(pk=engagement.pk).status == "declined"
    assert not AuditEntry.objects.exists()


def test_a_consultant_withdrawing_their_own_proposal_is_not_a_staff_action(db):
    world = build_world()
    engagement_cancel(engagement=world.engagement_proposed, by=world.users["consultant"])
    assert Engagement.objects.get(pk=world.engagement_proposed.pk).status == "cancelled"
    assert not AuditEntry.objects.exists()


def _cancel_bookings(client, *bookings, **extra):
    return client.post("/admin/booking/booking/", {
        "action": "cancel_bookings", "_selected_action": [b.pk for b in bookings], **extra})


def test_staff_cancelling_a_booking_in_the_admin_confirm_first_then_both_sides_hear_of_it(
        db, mailoutbox, django_capture_on_commit_callbacks):
    world = build_world()
    booking, staff = world.booking, world.users["staff"]
    client = _staff_client(world)

    page = _cancel_bookings(client, booking)
    assert page.status_code == 200 and "Yes, cancel them" in page.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == "confirmed" and not AuditEntry.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _cancel_bookings(client, booking, confirm="yes", reason="The consultant is ill")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == ("cancelled", staff,
                                                                             "The consultant is ill")
    assert Slot.objects.get(pk=booking.slot_id).status == "published"  # offered again
    event = PipelineEvent.objects.get(booking=booking, kind="cancelled")
    assert event.actor == staff and event.data["by"] == "staff"
    recipients = {address for m in mailoutbox for address in m.to}
    assert {world.users["member"].email, world.users["consultant"].email} <= recipients
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "booking.cancel", str(booking.pk))
    assert entry.data["reason"] == "The consultant is ill" and entry.data["status_from"] == "confirmed"


def test_a_booking_that_cannot_be_cancelled_writes_no_audit_entry(db):
    world = build_world()
    client = _staff_client(world)
    response = _cancel_bookings(client, world.past_confirmed_booking, world.requested_booking, confirm="yes")
    assert response.status_code == 302
    assert Booking.objects.get(pk=world.past_confirmed_booking.pk).status == "confirmed"  # already started
    assert Booking.objects.get(pk=world.requested_booking.pk).status == "cancelled"
    entries = AuditEntry.objects.all()
    assert [(e.action, e.target_id) for e in entries] == [("booking.cancel", str(world.requested_booking.pk))]


def test_only_staff_with_the_change_permission_get_the_cancel_action(db):
    world = build_world()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_booking"))
    client = Client()
    client.force_login(viewer)
    _cancel_bookings(client, world.booking, confirm="yes")
    assert Booking.objects.get(pk=world.booking.pk).status == "confirmed"
    assert not AuditEntry.objects.exists()


def test_hiding_and_showing_profiles_in_the_admin_writes_one_entry_per_profile_that_changed(db):
    world = build_world()
    client = _staff_client(world)
    profiles = [world.consultant_profile, world.other_consultant_profile]
    Consultant.objects.filter(pk=profiles[1].pk).update(hidden_by_staff=True)

    client.post("/admin/consultants/consultant/", {"action": "hide_profiles",
                                                   "_selected_action": [p.pk for p in profiles]})
    assert set(Consultant.objects.values_list("hidden_by_staff", flat=True)) == {True}
    client.post("/admin/consultants/consultant/", {"action": "show_profiles", "_selected_action": [profiles[0].pk]})

    entries = AuditEntry.objects.order_by("pk")
    assert [(e.action, e.target_id) for e in entries] == [("consultant.hide", str(profiles[0].pk)),
                                                           ("consultant.show", str(profiles[0].pk))]
    assert all(e.actor == world.users["staff"] for e in entries)


def test_staff_changing_the_fair_use_limits_is_in_the_admin_log(db):
    from booking.models import FairUsePolicy

    world = build_world()
    client = _staff_client(world)
    url = "/admin/booking/fairusepolicy/1/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["max_upcoming"] = 3
    response = client.post(url, data)
    assert response.status_code == 302
    assert FairUsePolicy.current().max_upcoming == 3
    entry = LogEntry.objects.get(object_id="1", action_flag=CHANGE)
    assert entry.user == world.users["staff"] and "upcoming" in entry.get_change_message().lower()
    audit = AuditEntry.objects.get()
    assert (audit.actor, audit.action, audit.target_type.model) == (world.users["staff"], "admin.change",
                                                                    "fairusepolicy")
    assert audit.data["fields"] == {"max_upcoming": {"old": form["max_upcoming"].value(), "new": 3}}


def test_staff_making_the_promoter_wall_public_is_in_the_audit_log(db):
    world = build_world()
    client = _staff_client(world)
    url = "/admin/reports/wallsettings/1/change/"
    response = client.post(url, {"is_public": "on"})
    assert response.status_code == 302
    assert AuditEntry.objects.get().data["fields"] == {"is_public": {"old": False, "new": True}}


def test_the_booking_change_form_changes_nothing_and_writes_no_audit_entry(db):
    world = build_world()
    client = _staff_client(world)
    client.post(f"/admin/booking/booking/{world.booking.pk}/change/", {"status": "cancelled"})
    assert not AuditEntry.objects.exists()


def test_inviting_a_consultant_in_the_admin_is_in_the_audit_log(db):
    world = build_world()
    response = _staff_client(world).post("/admin/consultants/consultant/invite/", {
        "email": "nina@example.com", "name": "Nina New", "time_zone": "Europe/Stockholm", "language": "sv"})
    assert response.status_code == 302
    consultant = Consultant.objects.get(user__email="nina@example.com")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (world.users["staff"], "consultant.invite",
                                                           str(consultant.pk))


def test_deleting_a_company_keeps_who_did_what_in_the_audit_log_but_not_the_texts(db):
    from django.utils import timezone

    from accounts.models import Company
    from engagements.models import GapReport
    from reports.privacy import company_delete

    world = build_world()
    staff, owner = world.users["staff"], world.users["member"]
    booking = world.held_booking
    report = GapReport.objects.get(booking=booking)
    audit_record(actor=staff, action="admin.change", target=report,
                 changed={"summary": ["Olga Secret loses customers", "Olga Secret is leaving"]})
    audit_record(actor=staff, action="admin.change", target=booking.company, changed={"name": ["Old", "New"]})
    invoice_entry = audit_record(actor=staff, action="invoice.mark_paid", target=world.invoice, number="X")
    for b in (world.booking, world.requested_booking):  # sessions still ahead block the deletion
        Booking.objects.filter(pk=b.pk).update(status="cancelled", cancelled_at=timezone.now())
    Engagement.objects.filter(company_id=booking.company_id, status="accepted").update(status="cancelled")
    before = AuditEntry.objects.count()

    company_delete(company=Company.objects.get(pk=booking.company_id), by=owner)

    assert AuditEntry.objects.count() == before  # who did what, and when, stays
    assert AuditEntry.objects.filter(actor=staff, action="admin.change").count() == 2
    kept_text = repr(list(AuditEntry.objects.exclude(pk=invoice_entry.pk).values_list("target_label", "data")))
    assert "Olga" not in kept_text and "Owning Company" not in kept_text, kept_text
    invoice_entry.refresh_from_db()
    assert invoice_entry.data == {"number": "X"} and invoice_entry.target_label  # invoices are kept as issued
