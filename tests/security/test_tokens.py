"""Every secret link (manage link, calendar feed, waitlist claim, survey, invitation) carries at least 128 random
bits, and the plain token is nowhere in the database: not in our tables, not in django-q's task tables, not even
inside base64/pickled values. Each token is taken from where a person gets it (the e-mail, or the page)."""

import base64
import binascii
import re
import zlib

import pytest
from django.db import connection

from accounts.services import member_invite
from booking.questionnaires import questionnaire_get_current
from booking.services import booking_create
from consultants.services import consultant_rotate_feed_token
from feedback.services import feedback_request_schedule, feedback_send
from tests.factories import BookingFactory, MembershipFactory, SlotFactory, WaitlistEntryFactory
from tests.security.world import build_world
from waitlist.services import waitlist_offer_slot


def _bits(token: str) -> int:
    """Random bits in a token: URL-safe base64 carries 6 bits a character, hex 4."""
    if re.fullmatch(r"[0-9a-f]+", token):
        return 4 * len(token)
    return 6 * len(token.rstrip("="))


def _decodings(value: str):
    yield value.encode()
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            continue
        yield raw
        try:
            yield zlib.decompress(raw)
        except zlib.error:
            pass


# Tables allowed to hold a plain secret: none. (accounts/mail.py queues mails with save=False, so django-q2 does
# not keep delivered bodies — invitation links, reset keys, sign-in codes — in django_q_task.args.)
KNOWN_LEAKS: set[str] = set()


def tables_containing(secret: str) -> list[str]:
    """Every table.column whose value contains `secret`, plainly or inside base64 / zlib / pickle."""
    needle = secret.encode()
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session":
                continue  # the visitor's own signed session (the confirmation page keeps the link for its owner)
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("latin-1")
                    if isinstance(value, str) and len(value) >= 8 and any(
                            needle in blob for blob in _decodings(value)):
                        hits.append(f"{table}.{column}")
    return hits


def _from_mail(mailoutbox, pattern: str) -> str:
    for message in reversed(mailoutbox):
        bodies = [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
        for body in bodies:
            match = re.search(pattern, body)
            if match:
                return match.group(1)
    raise AssertionError(f"no mail with {pattern}: {[m.subject for m in mailoutbox]}")


@pytest.fixture
def world(db):
    return build_world()


def test_the_manage_link_token_is_long_and_only_its_hash_is_stored(world, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    slot = SlotFactory(consultant=world.consultant_profile)
    member = MembershipFactory().user
    questionnaire = questionnaire_get_current(world.consultant_profile)
    answers = {q.pk: (q.choices[0] if q.kind == "single_choice" else [q.choices[0]]
                      if q.kind == "multiple_choice" else "Retail") for q in questionnaire.questions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(slot=slot, company=member.memberships.get().company, user=member, answers=answers,
                                 questionnaire=questionnaire)
    token = _from_mail(mailoutbox, r"/manage/([^/\s]+)/")
    assert token == booking.manage_token
    assert _bits(token) >= 128
    assert tables_containing(token) == []


def test_the_calendar_feed_token_is_long_and_only_its_hash_is_stored(world):
    token = consultant_rotate_feed_token(consultant=world.consultant_profile)
    assert _bits(token) >= 128
    assert tables_containing(token) == []


def test_the_waitlist_claim_token_is_long_and_only_its_hash_is_stored(world, mailoutbox,
                                                                      django_capture_on_commit_callbacks):
    consultant = world.other_consultant_profile
    WaitlistEntryFactory(consultant=consultant)  # a company with no upcoming session, so fair use lets it in
    with django_capture_on_commit_callbacks(execute=True):
        offer = waitlist_offer_slot(slot=world.other_free_slot)
    assert offer is not None
    token = _from_mail(mailoutbox, r"/waitlist/claim/([^/\s]+)/")
    assert _bits(token) >= 128
    assert tables_containing(token) == []


def test_the_survey_token_is_long_and_only_its_hash_is_stored(world, mailoutbox):
    booking = BookingFactory(consultant=world.consultant_profile, status="held",
                             slot=SlotFactory(consultant=world.consultant_profile, status="booked"))
    survey = feedback_request_schedule(booking=booking, kind="session")
    assert feedback_send(feedback=survey)
    token = _from_mail(mailoutbox, r"/feedback/([^/\s]+)/")
    assert _bits(token) >= 128
    assert tables_containing(token) == []


def test_the_invitation_token_is_long_and_not_stored(world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member_invite(company=world.company, email="new.colleague@example.com", invited_by=world.users["member"])
    token = _from_mail(mailoutbox, r"/accounts/invitation/[^/\s]+/([^/\s]+)/")
    # Django's token: "<timestamp>-<HMAC-SHA256, 32 hex digits>"; the HMAC part is what cannot be guessed.
    assert _bits(token.rsplit("-", 1)[1]) >= 128
    assert set(tables_containing(token)) <= KNOWN_LEAKS


def test_a_sign_in_code_is_not_kept_in_the_database(world, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": world.users["member"].email})
    code = _from_mail(mailoutbox, r"\n\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*\n")
    assert set(tables_containing(code)) <= KNOWN_LEAKS


def test_a_password_reset_key_is_not_kept_in_the_database(world, client, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": world.users["member"].email})
    key = _from_mail(mailoutbox, r"/accounts/password/reset/key/([^/\s]+)/")
    assert set(tables_containing(key)) <= KNOWN_LEAKS


def test_the_database_search_finds_a_plain_or_encoded_secret(world):
    from booking.models import Booking

    Booking.objects.filter(pk=world.booking.pk).update(cancel_reason="leak " + "s3cr3t-t0ken-value")
    assert "booking_booking.cancel_reason" in tables_containing("s3cr3t-t0ken-value")
    encoded = base64.b64encode(b"xx s3cr3t-t0ken-valu2 yy").decode()
    Booking.objects.filter(pk=world.booking.pk).update(cancel_reason=encoded)
    assert "booking_booking.cancel_reason" in tables_containing("s3cr3t-t0ken-valu2")


def test_pages_opened_by_a_secret_link_are_never_stored_by_shared_caches(world, client):
    """The token is in the address: a proxy or a shared computer's cache must not keep the page; the
    same-origin referrer policy keeps the address from leaking to other sites through links."""
    tokens = world.tokens
    urls = [f"/manage/{tokens['manage']}/", f"/calendar/{tokens['feed']}.ics",
            f"/waitlist/claim/{tokens['waitlist_claim']}/", f"/feedback/{tokens['survey']}/",
            f"/accounts/invitation/{tokens['invitation_uidb64']}/{tokens['invitation']}/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response.headers.get("Cache-Control", "")
        assert "private" in cache_control or "no-store" in cache_control, (url, cache_control)
        assert response.headers.get("Referrer-Policy") == "same-origin", url
