"""The websites a consultant lets show their booking widget: what counts as an origin, and the settings page that
edits them and shows the code to paste."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultants.origins import MAX_WIDGET_ORIGINS, origin_clean, origins_clean
from consultants.services import consultant_update_widget_origins

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "expected"), [
    ("https://www.example.se", "https://www.example.se"),
    ("  https://Shop.Example.SE/  ", "https://shop.example.se"),
    ("https://example.se:8443", "https://example.se:8443"),
    ("https://example.se:443/", "https://example.se"),
    ("https://båt.se", "https://xn--bt-yia.se"),
    ("http://localhost:8000", "http://localhost:8000"),
    ("http://127.0.0.1:5500", "http://127.0.0.1:5500"),
])
def test_an_origin_is_kept_as_the_browser_writes_it(value, expected):
    assert origin_clean(value) == expected


@pytest.mark.parametrize("value", [
    "", "www.example.se", "example.se", "https://", "https://example.se/booking", "https://example.se/?a=1",
    "https://example.se#top", "https://user:pw@example.se", "https://*.example.se", "*",
    "https://example.se; script-src *", "https://example.se 'unsafe-inline'", "https://exa mple.se",
    "ftp://example.se", "javascript:alert(1)", "data:text/html,hi", "https://example.se:99999",
    "https://-bad-.se", "http://example.se", "http://192.168.1.10", "https://" + "a" * 250 + ".se",
    "'self'", "'none'", "https://example.se?",
])
def test_anything_else_is_refused(value):
    with pytest.raises(ValidationError):
        origin_clean(value)


def test_plain_http_on_localhost_only_where_the_setting_allows_it(settings):
    settings.WIDGET_ALLOW_LOCAL_HTTP = False
    with pytest.raises(ValidationError, match="https"):
        origin_clean("http://localhost:8000")
    assert origin_clean("https://localhost:8000") == "https://localhost:8000"


def test_a_list_drops_blank_lines_and_duplicates_and_reports_every_bad_entry():
    assert origins_clean(["https://a.se", "", "HTTPS://A.SE/", "https://b.se"]) == ["https://a.se", "https://b.se"]
    with pytest.raises(ValidationError) as error:
        origins_clean(["https://a.se/x", "https://b.se", "nope"])
    assert len(error.value.messages) == 2


def test_at_most_ten_websites():
    origins_clean([f"https://s{i}.se" for i in range(MAX_WIDGET_ORIGINS)])
    with pytest.raises(ValidationError, match="At most"):
        origins_clean([f"https://s{i}.se" for i in range(MAX_WIDGET_ORIGINS + 1)])


def test_the_service_saves_the_cleaned_list_or_nothing(consultant):
    consultant_update_widget_origins(consultant=consultant, origins=["https://Anna.se/", "https://anna.se"])
    consultant.refresh_from_db()
    assert consultant.widget_origins == ["https://anna.se"]
    with pytest.raises(ValidationError) as error:
        consultant_update_widget_origins(consultant=consultant, origins=["https://anna.se/booking"])
    assert "widget_origins" in error.value.message_dict
    consultant.refresh_from_db()
    assert consultant.widget_origins == ["https://anna.se"]


def test_only_a_listed_origin_is_allowed(consultant):
    consultant.widget_origins = ["https://anna.se"]
    assert consultant.widget_origin_allowed("https://anna.se")
    for other in ("", None, "https://anna.se/", "https://evil.se", "https://anna.se.evil.se", "*", "null"):
        assert not consultant.widget_origin_allowed(other)


def test_the_settings_page_saves_the_websites_and_shows_the_code_to_paste(consultant_client, consultant):
    url = reverse("consultants:settings")
    page = consultant_client.get(url).content.decode()
    assert "Booking widget for your website" in page
    assert "until then browsers refuse to show the widget" in page
    widget_url = "/widget/anna-lindqvist/"
    assert widget_url in page and "&lt;iframe" in page  # escaped inside the textarea, ready to copy
    assert "probono:booked" in page

    response = consultant_client.post(url, {"form": "widget",
                                            "widget-widget_origins": "https://anna.se\nhttps://www.anna.se/\n"})
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.widget_origins == ["https://anna.se", "https://www.anna.se"]
    page = consultant_client.get(url).content.decode()
    assert "https://www.anna.se" in page
    assert "until then browsers refuse" not in page


def test_a_bad_website_re_renders_the_form_with_the_message_and_saves_nothing(consultant_client, consultant):
    response = consultant_client.post(reverse("consultants:settings"),
                                      {"form": "widget", "widget-widget_origins": "https://anna.se/book\n*"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a web address like https://www.example.se" in page
    consultant.refresh_from_db()
    assert consultant.widget_origins == []


def test_saving_the_websites_leaves_the_other_settings_alone(consultant_client, consultant):
    consultant.requires_approval = True
    consultant.save()
    consultant_client.post(reverse("consultants:settings"), {"form": "widget", "widget-widget_origins": ""})
    consultant.refresh_from_db()
    assert consultant.requires_approval is True
