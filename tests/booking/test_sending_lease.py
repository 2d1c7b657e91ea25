"""Mails survive a killed worker: a claim is a lease that lapses before the broker re-delivers the task.

A SIGKILLed worker runs no more code, so what it leaves is the database as it stood in the SMTP call: claimed,
not sent, not released. `_killed_while_sending` puts the rows back in exactly that state after the in-process
exception handlers (which a killed process never reaches) have run. The clock is frozen with time-machine; the
test settings have Q_CLUSTER timeout 30 s and retry 60 s, so the lease is 30 s and the re-delivery comes at 60 s.
"""

import contextlib
import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings
from django.urls import reverse

from booking.mails import sending_lease
from booking.models import BookingNotice
from booking.reminders import reminder_send, reminders_send_due
from booking.tasks import booking_send_confirmation
from feedback.models import Feedback
from feedback.services import feedback_send_due
from tests.factories import (
    BookingFactory,
    ConsultantFactory,
    HeldBookingFactory,
    PipelineEventFactory,
    SlotFactory,
    WaitlistEntryFactory,
)
from waitlist.models import WaitlistOffer
from waitlist.services import waitlist_offer_slot
from waitlist.tasks import waitlist_send_offer

pytestmark = pytest.mark.django_db
T = dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)  # the killed run
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=settings.Q_CLUSTER["timeout"])
REDELIVERY = dt.timedelta(seconds=settings.Q_CLUSTER["retry"])
SECOND = dt.timedelta(seconds=1)


class _Killed(BaseException):
    """Stands for SIGKILL: nothing in the app catches it (feedback_send_due catches Exception per survey)."""


@contextlib.contextmanager
def _killed_while_sending(model, *, after_smtp_accepted: bool = False):
    """The worker dies inside its first SMTP call (or just after the server accepted the mail)."""
    rows = []
    send = EmailMultiAlternatives.send

    def die(self, *args, **kwargs):
        if after_smtp_accepted:
            send(self, *args, **kwargs)
        rows.extend(model.objects.values())
        raise _Killed

    with pytest.MonkeyPatch.context() as m, pytest.raises(_Killed):
        m.setattr(EmailMultiAlternatives, "send", die)
        yield
    for row in rows:  # undo what only a live process would have done: its release of the claim
        model.objects.filter(pk=row["id"]).update(**row)


@contextlib.contextmanager
def _meanwhile(run):
    """While the first mail is in its SMTP call, `run` runs (another worker, the same task or a duplicate)."""
    results = []
    send = EmailMultiAlternatives.send

    def send_while_another_runs(self, *args, **kwargs):
        if not results:
            results.append(None)
            results[0] = run()
        return send(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", send_while_another_runs)
        yield results


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _to(mailoutbox):
    return sorted(m.to[0] for m in mailoutbox)


# --- the lease -----------------------------------------------------------------------------------------------------
def test_the_lease_is_the_task_timeout_and_lapses_before_the_broker_redelivers():
    assert sending_lease() == LEASE
    assert sending_lease() + dt.timedelta(seconds=settings.Q_CLUSTER["timeout"]) <= REDELIVERY


def test_with_a_retry_close_to_the_timeout_the_lease_shrinks_so_a_claim_late_in_a_task_lapses_in_time():
    with override_settings(Q_CLUSTER={**settings.Q_CLUSTER, "timeout": 15, "retry": 20}):
        assert sending_lease() == dt.timedelta(seconds=5)


# --- booking notices -----------------------------------------------------------------------------------------------
@pytest.fixture
def booking():
    with _at(T - dt.timedelta(days=1)):
        return BookingFactory(slot=SlotFactory(status="booked", starts_at=START, ends_at=START + dt.timedelta(hours=1)))


def _confirm(booking):
    return booking_send_confirmation(booking.pk, booking.manage_token)


def test_the_normal_path_sends_each_confirmation_once_and_leaves_no_claim(booking, mailoutbox):
    with _at(T):
        assert _confirm(booking) == 2
    with _at(T + REDELIVERY):
        assert _confirm(booking) == 0
    assert _to(mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])
    notices = BookingNotice.objects.filter(booking=booking)
    assert [(n.sent_at, n.sending_until) for n in notices] == [(T, None), (T, None)]


def test_a_confirmation_lost_with_a_killed_worker_is_sent_by_the_redelivered_task_and_not_before(booking, mailoutbox):
    with _at(T), _killed_while_sending(BookingNotice):
        _confirm(booking)
    lost = BookingNotice.objects.get(booking=booking)
    assert (lost.audience, lost.sent_at, lost.sending_until) == ("company", None, T + LEASE)
    assert mailoutbox == []

    with _at(T + LEASE - SECOND):  # a duplicate of the task, inside the lease: the dead claim still counts
        assert _confirm(booking) == 1
    assert _to(mailoutbox) == [booking.consultant.user.email]

    with _at(T + REDELIVERY):  # the broker's re-delivery
        assert _confirm(booking) == 1
    with _at(T + REDELIVERY + SECOND):
        assert _confirm(booking) == 0
    assert _to(mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])
    lost.refresh_from_db()
    assert (lost.sent_at, lost.sending_until) == (T + REDELIVERY, None)


def test_a_second_run_while_the_first_is_sending_sends_nothing_the_first_claimed(booking, mailoutbox):
    with _at(T), _meanwhile(lambda: _confirm(booking)) as meanwhile:
        first = _confirm(booking)
    # The first run held the company's mail when the second ran; the consultant's was free, so the second sent it.
    assert (first, meanwhile) == (1, [1])
    assert _to(mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])


def test_a_failed_send_releases_the_claim_at_once(booking, mailoutbox):
    def smtp_down(self, *args, **kwargs):
        raise OSError("smtp down")

    with _at(T), pytest.MonkeyPatch.context() as m, pytest.raises(OSError):
        m.setattr(EmailMultiAlternatives, "send", smtp_down)
        _confirm(booking)
    assert BookingNotice.objects.get(booking=booking).sending_until is None

    with _at(T + SECOND):  # well inside what the lease would have been
        assert _confirm(booking) == 2
    assert _to(mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])


def test_a_worker_killed_after_the_server_accepted_the_mail_makes_a_duplicate_not_a_loss(booking, mailoutbox):
    with _at(T), _killed_while_sending(BookingNotice, after_smtp_accepted=True):
        _confirm(booking)
    with _at(T + REDELIVERY):
        assert _confirm(booking) == 2
    assert _to(mailoutbox) == sorted([booking.booked_by.email] * 2 + [booking.consultant.user.email])
    # Both copies carry the same Message-ID, so mail clients that collapse duplicates show one.
    company_ids = [m.message()["Message-ID"] for m in mailoutbox if m.to == [booking.booked_by.email]]
    consultant_ids = [m.message()["Message-ID"] for m in mailoutbox if m.to == [booking.consultant.user.email]]
    assert company_ids[0] == company_ids[1] and consultant_ids[0] != company_ids[0]


def test_a_reminder_lost_with_a_killed_worker_goes_out_on_the_next_run_after_the_lease(mailoutbox):
    with _at(START - dt.timedelta(days=3)):
        booking = BookingFactory(slot=SlotFactory(status="booked", starts_at=START,
                                                  ends_at=START + dt.timedelta(hours=1)))
    due = START - dt.timedelta(hours=23)
    with _at(due), _killed_while_sending(BookingNotice):
        reminders_send_due(now=due)
    with _at(due + LEASE - SECOND):
        assert reminders_send_due(now=due + LEASE - SECOND) == 1  # the consultant's; the company's is claimed
    with _at(due + REDELIVERY):
        assert reminders_send_due(now=due + REDELIVERY) == 1
    assert _to(mailoutbox) == sorted([booking.booked_by.email, booking.consultant.user.email])


def test_a_reminder_for_a_booking_cancelled_after_the_list_was_read_is_not_recorded_as_sent(mailoutbox):
    with _at(START - dt.timedelta(days=3)):
        booking = BookingFactory(slot=SlotFactory(status="booked", starts_at=START,
                                                  ends_at=START + dt.timedelta(hours=1)))
    type(booking).objects.filter(pk=booking.pk).update(status="cancelled", cancelled_at=START)  # after the list
    with _at(START - dt.timedelta(hours=23)):
        assert reminder_send(booking=booking, kind="reminder_24h", hours=24) == 0
    assert mailoutbox == []
    assert not BookingNotice.objects.filter(booking=booking, sent_at__isnull=False).exists()


# --- the NPS survey ------------------------------------------------------------------------------------------------
@pytest.fixture
def survey_due():
    with _at(T - dt.timedelta(days=1)):
        booking = HeldBookingFactory()
    event = PipelineEventFactory(booking=booking, kind="held", actor=booking.consultant.user)
    type(event).objects.filter(pk=event.pk).update(created_at=T - dt.timedelta(hours=3))
    return booking


def _surveys(moment):
    with _at(moment):
        return feedback_send_due(now=moment)


def _link_token(mail) -> str:
    return re.search(r"/feedback/([A-Za-z0-9_-]+)/", mail.body).group(1)


def test_the_normal_path_sends_the_survey_once_and_leaves_no_claim(survey_due, mailoutbox):
    assert _surveys(T) == 1
    assert _surveys(T + REDELIVERY) == 0
    assert _to(mailoutbox) == [survey_due.booked_by.email]
    feedback = Feedback.objects.get()
    assert (feedback.sent_at, feedback.sending_until) == (T, None)
    assert feedback.token_hash == Feedback.hash_token(_link_token(mailoutbox[0]))


def test_a_survey_lost_with_a_killed_worker_is_sent_after_the_lease_with_a_working_link(
        survey_due, mailoutbox, client):
    with _killed_while_sending(Feedback):
        _surveys(T)
    feedback = Feedback.objects.get()
    assert (feedback.sent_at, feedback.sending_until) == (None, T + LEASE)
    assert feedback.token_hash is not None  # the dead run's token, which nobody received and no link opens

    assert _surveys(T + LEASE - SECOND) == 0
    assert mailoutbox == []
    assert _surveys(T + REDELIVERY) == 1
    assert _surveys(T + REDELIVERY + SECOND) == 0
    [mail] = mailoutbox
    feedback.refresh_from_db()
    assert (feedback.sent_at, feedback.sending_until) == (T + REDELIVERY, None)
    with _at(T + REDELIVERY):
        assert client.get(reverse("booking:feedback", args=[_link_token(mail)])).status_code == 200


def test_a_second_survey_run_while_the_first_is_sending_sends_nothing(survey_due, mailoutbox):
    with _meanwhile(lambda: feedback_send_due(now=T)) as meanwhile, _at(T):
        assert feedback_send_due(now=T) == 1
    assert meanwhile == [0]
    assert _to(mailoutbox) == [survey_due.booked_by.email]


def test_a_failed_survey_send_releases_the_claim_at_once(survey_due, mailoutbox):
    def smtp_down(self, *args, **kwargs):
        raise OSError("smtp down")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", smtp_down)
        assert _surveys(T) == 0  # logged, not raised: one bad address must not stop the others
    feedback = Feedback.objects.get()
    assert (feedback.sent_at, feedback.sending_until, feedback.token_hash) == (None, None, None)
    assert _surveys(T + SECOND) == 1
    assert len(mailoutbox) == 1


# --- the waitlist offer --------------------------------------------------------------------------------------------
def test_a_waitlist_offer_lost_with_a_killed_worker_is_mailed_by_the_redelivered_task(mailoutbox):
    consultant = ConsultantFactory()
    entry = WaitlistEntryFactory(consultant=consultant)
    with _at(T):
        offer = waitlist_offer_slot(slot=SlotFactory(consultant=consultant, status="published", starts_at=START,
                                                     ends_at=START + dt.timedelta(hours=1)))
        with _killed_while_sending(WaitlistOffer):
            waitlist_send_offer(offer.pk, "the-token")
    with _at(T + LEASE - SECOND):
        assert waitlist_send_offer(offer.pk, "the-token") is False
    with _at(T + REDELIVERY):
        assert waitlist_send_offer(offer.pk, "the-token") is True
        assert waitlist_send_offer(offer.pk, "the-token") is False
    assert [m.to for m in mailoutbox] == [[entry.user.email]]
    offer.refresh_from_db()
    assert (offer.mailed_at, offer.sending_until) == (T + REDELIVERY, None)


def test_a_reminder_and_a_confirmation_of_one_booking_have_different_stable_message_ids(booking, mailoutbox):
    from booking.reminders import reminder_send

    with _at(T):
        _confirm(booking)
        reminder_send(booking=booking, kind="reminder_24h", hours=24)
        reminder_send(booking=booking, kind="reminder_24h", hours=24)  # already sent: nothing new
    ids = [m.message()["Message-ID"] for m in mailoutbox]
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    assert all(i.startswith(f"<notice.{booking.pk}.") and i.endswith(">") and ":" not in i for i in ids), ids


def _claim_token(mail) -> str:
    return re.search(r"/waitlist/claim/([^/\s]+)/", mail.body).group(1)


def test_a_waitlist_offer_whose_task_was_never_enqueued_is_mailed_by_the_sweep_with_a_working_link(mailoutbox):
    """The worker made the offer and was killed before its on-commit enqueue: no task will ever mail it."""
    from waitlist.mails import UNSENT_GRACE
    from waitlist.selectors import waitlist_offer_get_by_token
    from waitlist.tasks import waitlist_mail_unsent_offers

    consultant = ConsultantFactory()
    entry = WaitlistEntryFactory(consultant=consultant)
    with _at(T):  # on-commit callbacks are not run in this test: the enqueue never happened
        offer = waitlist_offer_slot(slot=SlotFactory(consultant=consultant, status="published", starts_at=START,
                                                     ends_at=START + dt.timedelta(hours=1)))
    with _at(T + UNSENT_GRACE - SECOND):
        assert waitlist_mail_unsent_offers() == 0  # its own task may still be on the way
    with _at(T + UNSENT_GRACE + SECOND):
        assert waitlist_mail_unsent_offers() == 1
        assert waitlist_mail_unsent_offers() == 0
        assert waitlist_send_offer(offer.pk, "the-first-token") is False  # a late original task sends nothing
    assert [m.to for m in mailoutbox] == [[entry.user.email]]
    assert waitlist_offer_get_by_token(_claim_token(mailoutbox[0])) == offer  # the mailed link is the one that works


def test_a_failed_sweep_send_leaves_the_original_token_in_force(mailoutbox):
    from waitlist.mails import UNSENT_GRACE
    from waitlist.tasks import waitlist_mail_unsent_offers

    consultant = ConsultantFactory()
    WaitlistEntryFactory(consultant=consultant)
    with _at(T):
        offer = waitlist_offer_slot(slot=SlotFactory(consultant=consultant, status="published", starts_at=START,
                                                     ends_at=START + dt.timedelta(hours=1)))
    original_hash = offer.token_hash

    def smtp_down(self, *args, **kwargs):
        raise OSError("smtp down")

    with _at(T + UNSENT_GRACE + SECOND), pytest.MonkeyPatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", smtp_down)
        assert waitlist_mail_unsent_offers() == 0
    offer.refresh_from_db()
    assert (offer.token_hash, offer.mailed_at, offer.sending_until) == (original_hash, None, None)
    with _at(T + UNSENT_GRACE + 2 * SECOND):
        assert waitlist_mail_unsent_offers() == 1
    assert len(mailoutbox) == 1
