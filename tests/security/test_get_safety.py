"""Opening a link changes nothing: every table of the database is the same before and after a GET of each
link kind (manage, waitlist claim, survey, calendar feed, invitation), by anyone who may hold it.

Mail scanners, link previews and browsers' prefetching open links; only a POST acts. A consultant who has never
had a booking page opened is the case that broke it: the claim page used to create their default questionnaire.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import ConsultantFactory, SlotFactory, WaitlistEntryFactory
from tests.security.world import build_world

pytestmark = pytest.mark.django_db


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table. The cache table is left out: it holds rate-limit counters, not data, and a
    GET of a secret link that matches nothing is meant to count there."""
    cache_tables = {c.get("LOCATION") for c in settings.CACHES.values()}
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in cache_tables:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            snapshot[table] = sorted(cursor.fetchall(), key=repr)
    return snapshot


def _diff(before: dict, after: dict) -> dict:
    return {t: {"added": [r for r in after.get(t, []) if r not in before.get(t, [])][:3],
                "removed": [r for r in before.get(t, []) if r not in after.get(t, [])][:3]}
            for t in set(before) | set(after) if before.get(t) != after.get(t)}


def _fresh_consultant_offer():
    """A consultant nobody has booked yet (no page has asked for their questionnaire) with an open offer."""
    from waitlist.models import WaitlistOffer

    consultant = ConsultantFactory(display_name="Fresh Consultant", slug="fresh")
    entry = WaitlistEntryFactory(consultant=consultant, status="offered")
    starts = (timezone.now() + dt.timedelta(days=9)).replace(minute=0, second=0, microsecond=0)
    slot = SlotFactory(consultant=consultant, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    token, token_hash = WaitlistOffer.new_token()
    WaitlistOffer.objects.create(entry=entry, slot=slot, token_hash=token_hash,
                                 expires_at=timezone.now() + dt.timedelta(hours=20))
    return entry, token


def test_opening_any_link_as_anyone_who_may_hold_it_changes_no_row_of_any_table(client):
    world = build_world()
    entry, fresh_token = _fresh_consultant_offer()
    tokens = world.tokens
    links = {
        "manage": (reverse("booking:manage", args=[tokens["manage"]]), ["anonymous", "member"]),
        "waitlist claim": (reverse("booking:waitlist_claim", args=[tokens["waitlist_claim"]]),
                           ["anonymous", "member"]),
        "waitlist claim, consultant never booked": (reverse("booking:waitlist_claim", args=[fresh_token]),
                                                    ["anonymous", "fresh"]),
        "calendar feed": (reverse("booking:calendar_feed", args=[tokens["feed"]]), ["anonymous"]),
        "invitation": (reverse("accounts:invitation", args=[tokens["invitation_uidb64"], tokens["invitation"]]),
                       ["anonymous"]),
    }
    if "survey" in tokens:
        links["survey"] = (reverse("booking:feedback", args=[tokens["survey"]]), ["anonymous", "member"])
    users = {**world.users, "fresh": entry.user}
    opened = []
    for kind, (url, actors) in links.items():
        for actor in actors:
            client.logout()
            if users.get(actor) is not None:
                client.force_login(users[actor])
            before = database_snapshot()
            response = client.get(url)
            after = database_snapshot()
            assert response.status_code == 200, (kind, actor, url, response.status_code)
            assert before == after, f"GET {kind} as {actor} changed: {_diff(before, after)}"
            opened.append((kind, actor))
    assert len(opened) >= 9
