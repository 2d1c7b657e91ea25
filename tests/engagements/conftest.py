import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from engagements import stripe as stripe_api
from tests.engagements.fakes import FakeStripeHTTP
from tests.factories import PASSWORD, ConsultantFactory, HeldBookingFactory, MembershipFactory

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def consultant(db):
    return ConsultantFactory(display_name="Anna Lindqvist")


@pytest.fixture
def held_booking(consultant):
    return HeldBookingFactory(slot__consultant=consultant)


@pytest.fixture
def member(held_booking):
    return held_booking.booked_by


@pytest.fixture
def second_member(held_booking):
    return MembershipFactory(company=held_booking.company).user


@pytest.fixture
def outsider(db):
    return MembershipFactory().user


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        assert client.login(email=user.email, password=PASSWORD)
        return client
    return _login


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    """Stripe "configured", with the fake HTTP layer: the real client library, never the network."""
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = "https://probono.example"
    fake = FakeStripeHTTP()
    monkeypatch.setattr(stripe_api, "http_client_override", fake)
    return fake


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    return settings


def days_from_today(n: int) -> dt.date:
    # The Nordic calendar day, as the services count it (between 23:00 and 24:00 UTC it is already tomorrow).
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)) + dt.timedelta(days=n)
