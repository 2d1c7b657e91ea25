"""Invoices: a gap-free, duplicate-free number sequence; a printable page; staff mark them paid."""

import threading

import pytest
from django.contrib.admin.sites import site
from django.db import close_old_connections
from django.urls import reverse

from booking.models import PipelineEvent
from engagements import services
from engagements.admin import mark_paid
from engagements.models import Invoice, Payment
from engagements.payments import invoice_issue
from engagements.services import EngagementError, engagement_accept, invoice_mark_paid
from tests.factories import ConsultantFactory, EngagementFactory, HeldBookingFactory, PaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(held_booking, member, no_stripe):
    engagement = EngagementFactory(booking=held_booking, amount_minor=1_000_200)
    engagement_accept(engagement=engagement, by=member)
    return Invoice.objects.select_related("payment").get(payment__engagement=engagement)


def test_numbers_follow_each_other_within_a_year(no_stripe):
    numbers = []
    for _ in range(3):
        payment = PaymentFactory()
        numbers.append(invoice_issue(payment=payment).sequence)
    assert numbers == [1, 2, 3]


def test_issuing_twice_returns_the_same_invoice(no_stripe):
    payment = PaymentFactory()
    assert invoice_issue(payment=payment).pk == invoice_issue(payment=payment).pk
    assert Invoice.objects.count() == 1


def test_a_rolled_back_acceptance_gives_its_number_back(no_stripe, monkeypatch):
    first = EngagementFactory()
    real_event = services._event

    def failing_event(**kw):
        if kw.get("kind") == "accepted":
            raise RuntimeError("crash after the number was taken")
        return real_event(**kw)

    monkeypatch.setattr(services, "_event", failing_event)
    with pytest.raises(RuntimeError):
        engagement_accept(engagement=first, by=first.booking.booked_by)
    monkeypatch.setattr(services, "_event", real_event)
    assert not Invoice.objects.exists() and not Payment.objects.exists()
    second = EngagementFactory()
    engagement_accept(engagement=second, by=second.booking.booked_by)
    assert Invoice.objects.get().sequence == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_get_distinct_numbers_without_gaps(settings):
    settings.STRIPE_SECRET_KEY = ""
    engagements = [EngagementFactory() for _ in range(8)]
    barrier = threading.Barrier(len(engagements))
    errors = []

    def accept(engagement):
        try:
            barrier.wait()
            engagement_accept(engagement=engagement, by=engagement.booking.booked_by)
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept, args=(e,)) for e in engagements]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(engagements) + 1))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == len(engagements)


def test_the_invoice_shows_company_vat_lines_and_total(invoice, member, login):
    page = login(member).get(reverse("engagements:invoice", args=[invoice.pk])).content.decode()
    assert invoice.number in page
    assert invoice.company_name in page
    assert "10,002.00" in page and "2,500.50" in page and "12,502.50" in page
    assert "VAT 25 %" in page
    assert "no-print" in page  # buttons are hidden when printing


def test_the_invoice_is_404_for_outsiders_and_other_consultants(invoice, member, outsider, staff_user, login):
    url = reverse("engagements:invoice", args=[invoice.pk])
    assert login(member).get(url).status_code == 200
    assert login(invoice.payment.engagement.consultant.user).get(url).status_code == 200
    assert login(staff_user).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404
    assert login(ConsultantFactory().user).get(url).status_code == 404


def test_staff_mark_an_invoice_paid_once_with_one_receipt(
        invoice, staff_user, member, login, django_capture_on_commit_callbacks, mailoutbox):
    client = login(staff_user)
    url = reverse("engagements:invoice_mark_paid", args=[invoice.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirmed": "1"}).status_code == 302
        assert client.post(url, {"confirmed": "1"}).status_code == 302
    payment = Payment.objects.get(pk=invoice.payment_id)
    assert payment.status == "paid" and payment.marked_paid_by == staff_user
    assert payment.engagement.status == "paid"
    receipts = [m for m in mailoutbox if m.subject.startswith("Receipt")]
    assert [m.to[0] for m in receipts] == [member.email]
    assert invoice.number in receipts[0].body
    event = PipelineEvent.objects.get(booking=payment.engagement.booking, kind="paid")
    assert event.actor == member and event.data["marked_by"] == staff_user.pk


def test_only_staff_can_mark_an_invoice_paid(invoice, member, login):
    assert login(member).post(reverse("engagements:invoice_mark_paid", args=[invoice.pk])).status_code == 404
    assert login(member).get(reverse("engagements:invoice_list")).status_code == 302  # to the admin login
    with pytest.raises(EngagementError):
        invoice_mark_paid(payment=invoice.payment, by=member)
    assert Payment.objects.get(pk=invoice.payment_id).status == "pending"


def test_the_admin_action_uses_the_same_fulfilment(invoice, staff_user, rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.user = staff_user
    request.session = {}
    request._messages = FallbackStorage(request)
    mark_paid(site._registry[Invoice], request, Invoice.objects.filter(pk=invoice.pk))
    mark_paid(site._registry[Invoice], request, Invoice.objects.filter(pk=invoice.pk))
    assert Payment.objects.get(pk=invoice.payment_id).status == "paid"
    assert PipelineEvent.objects.filter(kind="paid").count() == 1


@pytest.mark.parametrize("rows", [2, 30])
def test_the_staff_list_runs_a_fixed_number_of_queries(rows, staff_user, login, no_stripe,
                                                       django_assert_max_num_queries):
    for _ in range(rows):
        invoice_issue(payment=PaymentFactory(engagement__booking=HeldBookingFactory()))
    client = login(staff_user)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("engagements:invoice_list")).content.decode()
    assert page.count("Mark as paid</button>") == rows


def test_the_admin_pages_open_and_staff_can_withdraw_an_unpaid_proposal(invoice, staff_user, login):
    from engagements.models import Engagement

    client = login(staff_user)
    for name in ("engagement", "payment", "invoice", "gapreport", "stripeevent"):
        assert client.get(reverse(f"admin:engagements_{name}_changelist")).status_code == 200
    engagement = invoice.payment.engagement
    assert client.get(reverse("admin:engagements_engagement_change", args=[engagement.pk])).status_code == 200
    proposed = EngagementFactory()
    client.post(reverse("admin:engagements_engagement_changelist"),
                {"action": "cancel", "_selected_action": [proposed.pk, engagement.pk]})
    assert Engagement.objects.get(pk=proposed.pk).status == "cancelled"
    assert Engagement.objects.get(pk=engagement.pk).status == "cancelled"  # accepted but unpaid
    assert Payment.objects.get(pk=invoice.payment_id).status == "cancelled"


def test_mark_as_paid_asks_first_and_changes_nothing_until_confirmed(invoice, staff_user, login, mailoutbox):
    response = login(staff_user).post(reverse("engagements:invoice_mark_paid", args=[invoice.pk]), {"next": "invoice"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Mark invoice {invoice.number} as paid?" in page and "receipt" in page
    assert 'name="next" value="invoice"' in page and 'name="confirmed" value="1"' in page
    assert Payment.objects.get(pk=invoice.payment_id).status == "pending"
    assert not [m for m in mailoutbox if m.subject.startswith("Receipt")]
