"""Secrets at rest: Fernet with a key from the environment, rotation, a clear error without a key in production,
and never shown back (pages, admin)."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from calendars.checks import encryption_key_check
from calendars.crypto import SecretUnreadable, decrypt_json, encrypt_json
from calendars.models import CalendarSource
from calendars.services import source_sync
from tests.calendars.conftest import make_ics_source

SECRET_URL = "https://calendar.google.com/calendar/ical/anna%40example.com/private-77aa0c1d2e/basic.ics"


def test_a_secret_round_trips_and_is_not_readable_at_rest(settings):
    settings.CALENDAR_ENCRYPTION_KEY = Fernet.generate_key().decode()
    token = encrypt_json({"url": SECRET_URL})
    assert "private-77aa0c1d2e" not in token
    assert decrypt_json(token) == {"url": SECRET_URL}


def test_keys_rotate_newest_first(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CALENDAR_ENCRYPTION_KEY = old
    token = encrypt_json({"password": "app-pw"})
    settings.CALENDAR_ENCRYPTION_KEY = f"{new},{old}"
    assert decrypt_json(token) == {"password": "app-pw"}
    settings.CALENDAR_ENCRYPTION_KEY = new
    with pytest.raises(SecretUnreadable):
        decrypt_json(token)


def test_production_without_a_key_is_a_clear_error(settings):
    settings.CALENDAR_ENCRYPTION_KEY = ""
    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(ImproperlyConfigured, match="CALENDAR_ENCRYPTION_KEY must be set"):
        encrypt_json({"url": SECRET_URL})
    assert [e.id for e in encryption_key_check()] == ["calendars.E001"]
    settings.CALENDAR_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert encryption_key_check() == []


def test_a_malformed_key_is_a_clear_error(settings):
    settings.CALENDAR_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="not a valid Fernet key"):
        encrypt_json({})


@pytest.mark.django_db
def test_a_secret_the_key_cannot_read_is_an_error_in_plain_words(consultant, settings):
    settings.CALENDAR_ENCRYPTION_KEY = Fernet.generate_key().decode()
    source = make_ics_source(consultant, SECRET_URL)
    settings.CALENDAR_ENCRYPTION_KEY = Fernet.generate_key().decode()
    assert source_sync(source_id=source.pk).error == "secret_unreadable"


@pytest.mark.django_db
def test_the_admin_never_shows_the_address(client, consultant, staff_user):
    source = make_ics_source(consultant, SECRET_URL)
    client.force_login(staff_user)
    for url in ("/admin/calendars/calendarsource/", f"/admin/calendars/calendarsource/{source.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "private-77aa0c1d2e" not in html and source.secret not in html
    assert "https://calendar.google.com/…" in html
    assert CalendarSource.objects.get().get_secret()["url"] == SECRET_URL
