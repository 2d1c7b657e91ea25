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


def test_an_engagement_edited_in_the_admin_is_in_the_admin_log(db):
    world = build_world()
    engagement = world.engagement_proposed
    client = _staff_client(world)
    response = client.get(f"/admin/engagements/engagement/{engagement.pk}/change/")
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["title"] = "Workshop, renamed by staff"
    response = client.post(f"/admin/engagements/engagement/{engagement.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = LogEntry.objects.get(object_id=str(engagement.pk), action_flag=CHANGE)
    assert entry.user == world.users["staff"] and "Title" in entry.get_change_message()
