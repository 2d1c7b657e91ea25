"""Staff actions on payments leave a trace: who marked an invoice paid, and when — from the staff page and from
the admin action; changes staff make in the admin are in Django's admin log."""

from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client

from booking.models import PipelineEvent
from engagements.models import Payment
from tests.security.world import build_world


def _staff_client(world) -> Client:
    client = Client()
    client.force_login(world.users["staff"])
    return client


def test_marking_an_invoice_paid_on_the_staff_page_records_who_and_when(db):
    world = build_world()
    staff = world.users["staff"]
    response = _staff_client(world).post(f"/staff/invoices/{world.invoice.pk}/mark-paid/")
    assert response.status_code == 302
    payment = Payment.objects.get(pk=world.payment.pk)
    assert payment.status == "paid" and payment.marked_paid_by == staff and payment.paid_at is not None
    event = PipelineEvent.objects.get(booking=world.held_booking, kind="paid")
    assert event.data.get("marked_by") == staff.pk


def test_the_admin_mark_paid_action_records_who_and_when(db):
    world = build_world()
    staff = world.users["staff"]
    response = _staff_client(world).post("/admin/engagements/invoice/", {
        "action": "mark_paid", "_selected_action": [world.invoice.pk]})
    assert response.status_code == 302
    payment = Payment.objects.get(pk=world.payment.pk)
    assert payment.status == "paid" and payment.marked_paid_by == staff
    assert PipelineEvent.objects.get(booking=world.held_booking, kind="paid").data.get("marked_by") == staff.pk


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
