"""The webhook pages: a consultant's own endpoints, staff-wide endpoints, the secret shown once, the delivery log
and replay, and the owner / other consultant / outsider trio."""

import re

import pytest
from standardwebhooks.webhooks import Webhook

from booking.models import PipelineEvent
from booking.services import pipeline_event_record
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import endpoint_create
from tests.factories import BookingFactory, ConsultantFactory, MembershipFactory
from tests.integrations.webhook_support import Receiver, sweep

pytestmark = pytest.mark.django_db

ADD = {"url": "https://hooks.example.com/probono", "description": "CRM", "events": ["booking.created",
                                                                                     "feedback.received"]}


@pytest.fixture
def consultant(db):
    return ConsultantFactory(display_name="Anna Lindqvist")


@pytest.fixture
def owner_client(client, consultant):
    client.force_login(consultant.user)
    return client


def _endpoint(consultant, url="https://hooks.example.com/a", events=("booking.created",)):
    return endpoint_create(consultant=consultant, url=url, events=list(events))[0]


def _secret_in(body: str) -> str:
    return re.search(r'id="webhook-secret">(whsec_[^<]+)<', body).group(1)


def test_a_consultant_adds_an_endpoint_and_sees_its_secret_once(owner_client, consultant):
    response = owner_client.post("/me/webhooks/add/", ADD)

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = _secret_in(response.content.decode())
    assert endpoint.get_secret() == secret and endpoint.consultant == consultant
    assert endpoint.events == ["booking.created", "feedback.received"]
    for url in ("/me/webhooks/", f"/me/webhooks/{endpoint.pk}/"):
        page = owner_client.get(url).content.decode()
        assert "hooks.example.com/probono" in page and secret not in page


def test_bad_input_re_renders_the_form_with_errors(owner_client, settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    for data, error in ((ADD | {"url": "not a url"}, "Enter a valid URL."),
                        (ADD | {"events": []}, "Choose at least one event."),
                        (ADD | {"events": ["booking.exploded"]}, "Select a valid choice."),
                        (ADD | {"url": "https://10.1.2.3/x"}, "private or local network"),
                        (ADD | {"url": "https://" + "a" * 600 + ".example/"}, "at most 500 characters")):
        response = owner_client.post("/me/webhooks/add/", data)
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_editing_changes_the_events_and_turning_off_stops_pending_deliveries(owner_client, consultant):
    endpoint = _endpoint(consultant)
    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)

    response = owner_client.post(f"/me/webhooks/{endpoint.pk}/", {
        "url": "https://hooks.example.com/b", "description": "New", "events": ["session.held"]})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == ("https://hooks.example.com/b", ["session.held"],
                                                                   False)
    assert WebhookDelivery.objects.get().status == "failed"
    bad = owner_client.post(f"/me/webhooks/{endpoint.pk}/", {"url": "ftp://x", "events": ["session.held"]})
    assert bad.status_code == 400 and "Enter a valid URL." in bad.content.decode()


def test_rotating_asks_first_then_shows_the_new_secret_once(owner_client, consultant):
    endpoint = _endpoint(consultant)
    old = endpoint.get_secret()

    ask = owner_client.post(f"/me/webhooks/{endpoint.pk}/rotate/")
    assert ask.status_code == 200 and "Make a new signing secret" in ask.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.get_secret() == old

    done = owner_client.post(f"/me/webhooks/{endpoint.pk}/rotate/", {"confirmed": "1"})
    endpoint.refresh_from_db()
    assert _secret_in(done.content.decode()) == endpoint.get_secret() != old


def test_removing_asks_first(owner_client, consultant):
    endpoint = _endpoint(consultant)

    assert owner_client.post(f"/me/webhooks/{endpoint.pk}/delete/").status_code == 200
    assert WebhookEndpoint.objects.exists()
    response = owner_client.post(f"/me/webhooks/{endpoint.pk}/delete/", {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == "/me/webhooks/"
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_each_attempt_and_replay_sends_it_again(owner_client, consultant, httpserver):
    endpoint = _endpoint(consultant, url=httpserver.url_for("/hook"))
    receiver = Receiver(secret=endpoint.get_secret(), status=500)
    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)
    sweep()
    delivery = WebhookDelivery.objects.get()

    page = owner_client.get(f"/me/webhooks/{endpoint.pk}/").content.decode()
    assert "booking.created" in page and "500" in page and "Pending" in page

    receiver.status = 200
    response = owner_client.post(f"/me/webhooks/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 302 and response["Location"] == f"/me/webhooks/{endpoint.pk}/"
    assert WebhookAttempt.objects.count() == 1  # the request only asked; a task sends it
    sweep()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(receiver.accepted) == 2 and Webhook(endpoint.get_secret())  # both verified by the receiver
    page = owner_client.get(f"/me/webhooks/{endpoint.pk}/").content.decode()
    assert "Delivered" in page and "replay" in page


def test_another_consultants_endpoints_and_deliveries_are_404_and_unchanged(client, consultant):
    endpoint = _endpoint(consultant)
    pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)
    delivery = WebhookDelivery.objects.get()
    client.force_login(ConsultantFactory().user)

    assert "hooks.example.com" not in client.get("/me/webhooks/").content.decode()
    assert client.get(f"/me/webhooks/{endpoint.pk}/").status_code == 404
    for url, data in ((f"/me/webhooks/{endpoint.pk}/", {"url": "https://evil.example/", "events": ["session.held"]}),
                      (f"/me/webhooks/{endpoint.pk}/rotate/", {"confirmed": "1"}),
                      (f"/me/webhooks/{endpoint.pk}/delete/", {"confirmed": "1"}),
                      (f"/me/webhooks/deliveries/{delivery.pk}/replay/", {})):
        assert client.post(url, data).status_code == 404
    assert client.get(f"/staff/webhooks/{endpoint.pk}/").status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/a" and WebhookDelivery.objects.get().attempts == 0


def test_staff_manage_staff_wide_endpoints_that_get_every_consultants_events(client, staff_user, consultant):
    client.force_login(staff_user)
    response = client.post("/staff/webhooks/add/", ADD)
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and endpoint.consultant is None and endpoint.created_by == staff_user

    for someone in (consultant, ConsultantFactory()):
        pipeline_event_record(booking=BookingFactory(consultant=someone), kind=PipelineEvent.Kind.BOOKED)
    assert endpoint.deliveries.count() == 2
    assert client.get(f"/staff/webhooks/{endpoint.pk}/").status_code == 200
    # A consultant's own endpoint is not a staff-wide one, and the consultant cannot reach staff-wide ones.
    own = _endpoint(consultant)
    assert client.get(f"/staff/webhooks/{own.pk}/").status_code == 404
    client.force_login(consultant.user)
    assert client.get("/staff/webhooks/").status_code == 403
    assert client.get(f"/me/webhooks/{endpoint.pk}/").status_code == 404


def test_visitors_go_to_the_login_page_and_company_members_get_404(client):
    assert client.get("/me/webhooks/").status_code == 302
    client.force_login(MembershipFactory().user)
    assert client.get("/me/webhooks/").status_code == 404


def test_list_and_log_pages_use_a_fixed_number_of_queries(owner_client, consultant, django_assert_max_num_queries):
    for i in range(5):
        endpoint = _endpoint(consultant, url=f"https://hooks.example.com/{i}")
    for _ in range(10):
        pipeline_event_record(booking=BookingFactory(consultant=consultant), kind=PipelineEvent.Kind.BOOKED)
    WebhookAttempt.objects.bulk_create(WebhookAttempt(delivery=d, attempted_at=d.created_at, status_code=500)
                                       for d in WebhookDelivery.objects.all())

    with django_assert_max_num_queries(8):
        assert owner_client.get("/me/webhooks/").status_code == 200
    with django_assert_max_num_queries(9):
        page = owner_client.get(f"/me/webhooks/{endpoint.pk}/")
    assert page.status_code == 200 and page.content.decode().count('id="delivery-') == 10
