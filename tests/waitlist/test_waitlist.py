"""The waitlist: join only when nothing is free, offer a freed slot to the first in line with a claim link that
holds it, claim by POST only, expiry passes it on (safe twice), and outsiders get nowhere."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, FairUsePolicy
from booking.services import booking_cancel
from consultants.models import Slot
from tests.factories import (
    PASSWORD,
    BookingFactory,
    ConsultantFactory,
    MembershipFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SlotFactory,
    WaitlistEntryFactory,
)
from waitlist.models import WaitlistEntry, WaitlistOffer
from waitlist.selectors import waitlist_slot_is_held
from waitlist.services import WaitlistError, waitlist_join, waitlist_leave, waitlist_offer_slot
from waitlist.tasks import waitlist_expire_offers, waitlist_offer_free_slots

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def consultant():
    c = ConsultantFactory(display_name="Anna Lindqvist", slug="anna")
    question = QuestionFactory(questionnaire=QuestionnaireFactory(consultant=c), label="Main challenge?")
    c.question = question
    return c


def _slot(consultant, start=START, status="published"):
    return SlotFactory(consultant=consultant, status=status, starts_at=start, ends_at=start + dt.timedelta(hours=1))


def _claim_link(mail) -> str:
    match = re.search(r"https?://\S+/waitlist/claim/(\S+)/", mail.body)
    assert match, mail.body
    return match.group(0), match.group(1)


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def _fully_booked(consultant):
    """The consultant's only slot is booked by another company."""
    return BookingFactory(slot=_slot(consultant, status="booked"))


# --- joining -------------------------------------------------------------------------------------------


def test_a_company_can_join_when_the_consultant_has_nothing_free(client, consultant):
    _fully_booked(consultant)
    member = MembershipFactory().user
    _login(client, member)

    response = client.post(reverse("booking:waitlist_join", args=[consultant.slug]))

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.consultant, entry.user, entry.status) == (consultant, member, "waiting")


def test_joining_is_refused_while_a_free_time_is_published(client, consultant):
    _slot(consultant)
    member = MembershipFactory().user
    with pytest.raises(WaitlistError) as e:
        waitlist_join(consultant=consultant, company=member.memberships.get().company, user=member)
    assert e.value.code == "has_free_slot"

    _login(client, member)
    response = client.post(reverse("booking:waitlist_join", args=[consultant.slug]), follow=True)
    assert "has free times" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_a_company_cannot_join_the_same_waitlist_twice(consultant):
    _fully_booked(consultant)
    entry = WaitlistEntryFactory(consultant=consultant)
    with pytest.raises(WaitlistError) as e:
        waitlist_join(consultant=consultant, company=entry.company, user=entry.user)
    assert e.value.code == "already_waiting"


def test_joining_needs_a_post_from_a_signed_in_company_member(client, consultant):
    _fully_booked(consultant)
    url = reverse("booking:waitlist_join", args=[consultant.slug])
    assert client.post(url).status_code == 302 and not WaitlistEntry.objects.exists()  # to the login page
    _login(client, consultant.user)  # a consultant has no company
    client.post(url)
    assert not WaitlistEntry.objects.exists()
    _login(client, MembershipFactory().user)
    assert client.get(url).status_code == 405


def test_the_profile_snippet_offers_joining_only_when_nothing_is_free(rf, consultant):
    from django.template.loader import render_to_string

    member = MembershipFactory().user
    request = rf.get("/")
    request.user = member
    _fully_booked(consultant)
    html = render_to_string("waitlist/button.html", {"consultant": consultant, "user": member}, request)
    assert reverse("booking:waitlist_join", args=[consultant.slug]) in html

    entry = WaitlistEntryFactory(consultant=consultant, company=member.memberships.get().company, user=member)
    html = render_to_string("waitlist/button.html", {"consultant": consultant, "user": member}, request)
    assert reverse("booking:waitlist_leave", args=[entry.pk]) in html


# --- offers --------------------------------------------------------------------------------------------


def test_a_cancelled_slot_is_offered_to_the_first_company_in_line_by_email(
        consultant, mailoutbox, django_capture_on_commit_callbacks):
    booking = _fully_booked(consultant)
    first = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=2))
    WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=booking.booked_by, reason="")

    offer = WaitlistOffer.objects.get()
    assert (offer.entry, offer.slot, offer.status) == (first, booking.slot, "open")
    assert offer.expires_at == NOW + dt.timedelta(hours=24)
    [mail] = [m for m in mailoutbox if m.to == [first.user.email]]
    link, token = _claim_link(mail)
    assert len(token) >= 43  # 256 random bits, URL-safe
    assert offer.token_hash == WaitlistOffer.hash_token(token) and token not in offer.token_hash
    assert "Anna Lindqvist" in mail.subject
    first.refresh_from_db()
    assert first.status == "offered"


def test_the_offer_lasts_as_long_as_the_fair_use_policy_says(consultant):
    policy = FairUsePolicy.current()
    policy.waitlist_claim_hours = 6
    policy.save()
    WaitlistEntryFactory(consultant=consultant)
    offer = waitlist_offer_slot(slot=_slot(consultant))
    assert offer.expires_at == NOW + dt.timedelta(hours=6)


def test_an_offered_slot_is_held_against_every_other_company(consultant):
    entry = WaitlistEntryFactory(consultant=consultant)
    slot = _slot(consultant)
    other = MembershipFactory().company
    assert not waitlist_slot_is_held(slot, other)

    waitlist_offer_slot(slot=slot)

    assert waitlist_slot_is_held(slot, other)
    assert not waitlist_slot_is_held(slot, entry.company)
    slot.refresh_from_db()
    assert slot.status == "published"  # held by the offer, not marked booked


def test_the_periodic_task_offers_a_newly_published_month_once(consultant, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    entry = WaitlistEntryFactory(consultant=consultant)
    WaitlistEntryFactory(consultant=ConsultantFactory())  # someone waits for a consultant with nothing free
    _slot(consultant, status="draft")
    assert waitlist_offer_free_slots() == 0

    _slot(consultant, START + dt.timedelta(days=1))  # published
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist_offer_free_slots() == 1
        assert waitlist_offer_free_slots() == 0
    assert [m.to for m in mailoutbox] == [[entry.user.email]]


def test_each_waiting_company_gets_its_own_free_slot(consultant):
    a = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(hours=2))
    b = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(hours=1))
    s1, s2, _ = (_slot(consultant, START + dt.timedelta(hours=i)) for i in range(3))
    assert waitlist_offer_free_slots() == 2
    assert {(o.entry_id, o.slot_id) for o in WaitlistOffer.objects.all()} == {(a.pk, s1.pk), (b.pk, s2.pk)}


def test_nobody_waiting_means_no_offer(consultant, mailoutbox):
    assert waitlist_offer_slot(slot=_slot(consultant)) is None
    assert mailoutbox == []


# --- claiming --------------------------------------------------------------------------------------------


@pytest.fixture
def offered(consultant, mailoutbox, django_capture_on_commit_callbacks):
    entry = WaitlistEntryFactory(consultant=consultant)
    slot = _slot(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_slot(slot=slot)
    link, token = _claim_link(mailoutbox[-1])
    mailoutbox.clear()
    return entry, slot, link, token


def test_opening_the_claim_link_shows_the_offer_and_changes_nothing(client, offered):
    entry, slot, link, token = offered
    response = client.get(reverse("booking:waitlist_claim", args=[token]))
    assert response.status_code == 200
    assert "Anna Lindqvist" in response.content.decode()
    _login(client, entry.user)
    response = client.get(reverse("booking:waitlist_claim", args=[token]))
    assert "Main challenge?" in response.content.decode()
    assert WaitlistOffer.objects.get().status == "open"
    assert not Booking.objects.exists()


def test_posting_the_claim_books_the_slot_for_the_company(client, consultant, offered, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    entry, slot, link, token = offered
    _login(client, entry.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:waitlist_claim", args=[token]),
                               {f"q_{consultant.question.pk}": "Too many complaints"})

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.slot, booking.company, booking.status) == (slot, entry.company, "confirmed")
    offer = WaitlistOffer.objects.get()
    assert (offer.status, offer.booking) == ("claimed", booking)
    entry.refresh_from_db()
    assert entry.status == "claimed"
    assert any(m.to == [entry.user.email] and m.attachments for m in mailoutbox)  # the confirmation with invite
    # The link is used up.
    assert client.post(reverse("booking:waitlist_claim", args=[token]),
                       {f"q_{consultant.question.pk}": "Again"}).status_code == 400
    assert Booking.objects.count() == 1


def test_a_claim_with_missing_answers_re_renders_and_keeps_the_offer(client, offered):
    entry, slot, link, token = offered
    _login(client, entry.user)
    response = client.post(reverse("booking:waitlist_claim", args=[token]), {})
    assert response.status_code == 400
    assert WaitlistOffer.objects.get().status == "open"
    assert not Booking.objects.exists()


def test_a_member_of_another_company_cannot_claim(client, consultant, offered):
    entry, slot, link, token = offered
    _login(client, MembershipFactory().user)
    response = client.post(reverse("booking:waitlist_claim", args=[token]),
                           {f"q_{consultant.question.pk}": "Mine now"})
    assert response.status_code == 400
    assert "another company" in response.content.decode()
    assert WaitlistOffer.objects.get().status == "open"
    assert not Booking.objects.exists()


def test_a_visitor_must_log_in_before_claiming(client, consultant, offered):
    entry, slot, link, token = offered
    response = client.post(reverse("booking:waitlist_claim", args=[token]),
                           {f"q_{consultant.question.pk}": "x"})
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_an_unknown_claim_token_is_not_found(client):
    assert client.get(reverse("booking:waitlist_claim", args=["not-a-real-token"])).status_code == 404


def test_when_the_slot_was_taken_anyway_the_company_goes_back_in_line(client, consultant, offered):
    entry, slot, link, token = offered
    BookingFactory(slot=slot)  # booked around the hold (e.g. by staff)
    _login(client, entry.user)
    response = client.post(reverse("booking:waitlist_claim", args=[token]),
                           {f"q_{consultant.question.pk}": "x"})
    assert response.status_code == 409  # the friendly "just taken" page with the next free times
    assert "This time was just taken" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "waiting"
    assert WaitlistOffer.objects.get().status == "withdrawn"


# --- expiry and hand-over ------------------------------------------------------------------------------


def test_an_unclaimed_offer_expires_and_passes_to_the_next_in_line_once(
        client, consultant, mailoutbox, django_capture_on_commit_callbacks):
    first = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=2))
    second = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=1))
    slot = _slot(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_slot(slot=slot)
    _, first_token = _claim_link(mailoutbox[-1])

    with time_machine.travel(NOW + dt.timedelta(hours=23, minutes=59), tick=False):
        assert waitlist_expire_offers() == 0
    with time_machine.travel(NOW + dt.timedelta(hours=24), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert waitlist_expire_offers() == 1
            assert waitlist_expire_offers() == 0

        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == ("expired", "offered")
        assert [m.to for m in mailoutbox] == [[first.user.email], [second.user.email]]
        offer = WaitlistOffer.objects.get(status="open")
        assert (offer.entry, offer.slot) == (second, slot)
        assert offer.expires_at == timezone.now() + dt.timedelta(hours=24)

        # The first company's link now says so and books nothing.
        _login(client, first.user)
        page = client.get(reverse("booking:waitlist_claim", args=[first_token]))
        assert "expired" in page.content.decode()
        assert client.post(reverse("booking:waitlist_claim", args=[first_token]),
                           {f"q_{consultant.question.pk}": "late"}).status_code == 400
        assert not Booking.objects.exists()


def test_an_expired_offer_with_nobody_else_waiting_frees_the_slot_for_everyone(consultant):
    WaitlistEntryFactory(consultant=consultant)
    slot = _slot(consultant)
    waitlist_offer_slot(slot=slot)
    other = MembershipFactory().company
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        waitlist_expire_offers()
        assert not waitlist_slot_is_held(slot, other)


def test_leaving_the_waitlist_withdraws_the_offer_and_passes_it_on(
        client, consultant, mailoutbox, django_capture_on_commit_callbacks):
    first = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=2))
    second = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        waitlist_offer_slot(slot=_slot(consultant))
    _login(client, first.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("booking:waitlist_leave", args=[first.pk]))

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("left", "offered")
    assert mailoutbox[-1].to == [second.user.email]


def test_nobody_can_leave_another_companys_waitlist_entry(client, consultant):
    entry = WaitlistEntryFactory(consultant=consultant)
    _login(client, MembershipFactory().user)
    assert client.post(reverse("booking:waitlist_leave", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == "waiting"
    assert waitlist_leave(entry=entry).status == "left"


def test_the_offer_mail_goes_out_once_even_if_its_task_runs_twice(consultant, mailoutbox):
    from waitlist.tasks import waitlist_send_offer

    entry = WaitlistEntryFactory(consultant=consultant)
    offer = waitlist_offer_slot(slot=_slot(consultant))  # on-commit callbacks not run: nothing mailed yet
    assert mailoutbox == []
    assert waitlist_send_offer(offer.pk, "the-token") is True
    assert waitlist_send_offer(offer.pk, "the-token") is False
    assert [m.to for m in mailoutbox] == [[entry.user.email]]


# --- the hold against the normal booking flow ----------------------------------------------------------


def _answers(consultant):
    return {consultant.question.pk: "Our answer"}


def test_another_company_cannot_book_a_slot_held_for_the_waitlist(consultant, offered):
    from booking.services import BookingError, booking_create

    entry, slot, link, token = offered
    outsider = MembershipFactory().user
    with pytest.raises(BookingError) as e:
        booking_create(slot=slot, company=outsider.memberships.get().company, user=outsider,
                       answers=_answers(consultant))
    assert e.value.code == "slot_taken"
    assert not Booking.objects.exists()
    slot.refresh_from_db()
    assert slot.status == "published"
    assert WaitlistOffer.objects.get().status == "open"


def test_the_offered_company_booking_through_the_normal_flow_uses_up_its_offer(consultant, offered):
    from booking.services import booking_create

    entry, slot, link, token = offered
    booking = booking_create(slot=slot, company=entry.company, user=entry.user, answers=_answers(consultant))
    offer = WaitlistOffer.objects.get()
    assert (offer.status, offer.booking) == ("claimed", booking)
    entry.refresh_from_db()
    assert entry.status == "claimed"


def test_after_the_offer_expires_anyone_may_book_the_slot(consultant, offered):
    from booking.services import booking_create

    entry, slot, link, token = offered
    outsider = MembershipFactory().user
    with time_machine.travel(NOW + dt.timedelta(hours=25), tick=False):
        booking = booking_create(slot=slot, company=outsider.memberships.get().company, user=outsider,
                                 answers=_answers(consultant))
    assert booking.status == "confirmed"
    assert WaitlistOffer.objects.get().status == "expired"


def test_a_booking_cannot_be_moved_onto_a_held_slot(consultant, offered):
    from booking.services import BookingError, booking_reschedule

    entry, slot, link, token = offered
    booking = BookingFactory(slot=_slot(consultant, START + dt.timedelta(days=1), status="booked"))
    with pytest.raises(BookingError):
        booking_reschedule(booking=booking, new_slot=slot, by=booking.booked_by)
    booking.refresh_from_db()
    assert booking.slot_id != slot.pk


def test_a_company_that_fair_use_would_refuse_is_skipped_but_keeps_its_place(consultant):
    busy = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=2))
    BookingFactory(company=busy.company, slot=_slot(ConsultantFactory(), START, status="booked"))  # 1 upcoming
    free = WaitlistEntryFactory(consultant=consultant, created_at=NOW - dt.timedelta(days=1))

    offer = waitlist_offer_slot(slot=_slot(consultant))

    assert offer.entry == free
    busy.refresh_from_db()
    assert busy.status == "waiting"


@pytest.mark.parametrize("entries", [1, 20])
def test_the_dashboard_list_of_waitlists_reads_one_query(rf, django_assert_max_num_queries, entries):
    from django.template.loader import render_to_string

    member = MembershipFactory().user
    company = member.memberships.get().company
    for _ in range(entries):
        WaitlistEntryFactory(company=company, user=member)
    WaitlistEntryFactory()  # another company's
    request = rf.get("/")
    request.user = member
    with django_assert_max_num_queries(1):
        html = render_to_string("waitlist/list.html", {"user": member}, request)
    assert html.count("Leave the waitlist") == entries


def test_an_offer_for_a_session_sooner_than_the_claim_window_expires_when_the_session_starts(consultant):
    WaitlistEntryFactory(consultant=consultant)
    soon = NOW + dt.timedelta(hours=5)
    offer = waitlist_offer_slot(slot=_slot(consultant, soon))
    assert offer.expires_at == soon


# --- a held slot is not shown as free ---------------------------------------------------------------------


def _public_times(client, consultant) -> tuple[str, str]:
    """The consultant's profile and the directory, as a visitor sees them."""
    return client.get(f"/consultants/{consultant.slug}/").content.decode(), client.get("/consultants/").content.decode()


def _listed(slot) -> bool:
    from booking.selectors import slot_list_free
    from consultants.selectors import consultant_directory

    row = consultant_directory().get(pk=slot.consultant_id)
    return slot in slot_list_free(consultant=slot.consultant) and row.next_free == slot.starts_at


def test_a_held_slot_is_left_out_of_the_profile_directory_and_other_times_until_the_offer_ends(client, consultant):
    WaitlistEntryFactory(consultant=consultant)
    slot = _slot(consultant)
    book_url = f"/book/{slot.pk}/"
    assert _listed(slot) and book_url in _public_times(client, consultant)[0]

    offer = waitlist_offer_slot(slot=slot)
    slot.refresh_from_db()
    assert slot.held_until == offer.expires_at
    assert not _listed(slot) and book_url not in _public_times(client, consultant)[0]

    with time_machine.travel(offer.expires_at + dt.timedelta(minutes=1), tick=False):
        waitlist_expire_offers()  # nobody else waits: the time is free for everyone again
        slot.refresh_from_db()
        assert slot.held_until is None
        assert _listed(slot) and book_url in _public_times(client, consultant)[0]


def test_a_withdrawn_offer_shows_the_slot_again_and_a_claimed_one_books_it(client, consultant, offered):
    entry, slot, link, token = offered
    slot.refresh_from_db()
    assert slot.held_until is not None and not _listed(slot)
    waitlist_leave(entry=entry)  # nobody else in line
    slot.refresh_from_db()
    assert slot.held_until is None and _listed(slot)


def test_the_offered_company_claiming_clears_the_hold(client, consultant, offered):
    entry, slot, link, token = offered
    _login(client, entry.user)
    response = client.post(reverse("booking:waitlist_claim", args=[token]),
                           {f"q_{consultant.question.pk}": "Churn"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.status, slot.held_until) == ("booked", None)


def test_a_booking_on_a_slot_nobody_was_offered_writes_no_hold(consultant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from booking.services import booking_create

    member = MembershipFactory().user
    slot = _slot(consultant)
    with CaptureQueriesContext(connection) as ctx:
        booking_create(slot=slot, company=member.memberships.get().company, user=member,
                       answers={consultant.question.pk: "Churn"})
    assert not [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "held_until" in q["sql"]]


def test_a_claim_for_a_time_blocked_meanwhile_shows_the_next_free_times_not_a_bare_error(client, consultant, offered):
    entry, slot, link, token = offered
    later = _slot(consultant, start=START + dt.timedelta(days=7))
    Slot.objects.filter(pk=slot.pk).update(status="blocked")  # the consultant took the time back
    _login(client, entry.user)
    response = client.post(reverse("booking:waitlist_claim", args=[token]),
                           {f"q_{consultant.question.pk}": "Too many complaints"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "This time is no longer free" in page
    assert reverse("booking:book", args=[later.pk]) in page
    assert not Booking.objects.filter(company=entry.company).exists()
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "waiting"  # back in line at its old place
