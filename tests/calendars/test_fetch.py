"""The safe fetcher against a real local HTTP server: addresses, schemes, size, time, redirects, secrecy."""

import logging
import socket
import time

import pytest
from werkzeug import Response

from calendars import fetch
from calendars.fetch import FetchError, safe_request

SECRET = "s3cr3t-private-token-0123456789"


@pytest.fixture
def public_loopback(monkeypatch):
    """Treat 127.0.0.1 (where the test server listens) as a public address, and nothing else."""
    monkeypatch.setattr(fetch, "address_is_public", lambda address: address == "127.0.0.1")


def test_a_plain_request_returns_status_headers_and_body(httpserver):
    httpserver.expect_request("/feed.ics").respond_with_data("BEGIN:VCALENDAR", headers={"ETag": '"v1"'})
    r = safe_request("GET", httpserver.url_for("/feed.ics"))
    assert (r.status_code, r.content, r.headers["etag"], r.redirects) == (200, b"BEGIN:VCALENDAR", '"v1"', 0)


def test_loopback_is_refused_unless_private_addresses_are_allowed(httpserver, settings):
    httpserver.expect_request("/feed.ics").respond_with_data("x")
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/feed.ics"))
    assert e.value.code == "address_not_allowed"
    assert httpserver.log == []  # refused before connecting
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = True
    assert safe_request("GET", httpserver.url_for("/feed.ics")).status_code == 200


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1",
                                     "224.0.0.1"])
def test_private_loopback_link_local_and_metadata_ranges_are_not_public(address):
    assert not fetch.address_is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_public(address):
    assert fetch.address_is_public(address)


def test_the_metadata_address_is_refused_without_connecting(settings):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError) as e:
        safe_request("GET", "https://169.254.169.254/latest/meta-data/")
    assert e.value.code == "address_not_allowed"


def test_a_name_that_resolves_to_a_public_address_first_and_loopback_at_connect_time_is_refused(
        httpserver, settings, monkeypatch):
    """DNS rebinding: the check's lookup says public, the connection's lookup says loopback."""
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    httpserver.expect_request("/x").respond_with_data("internal secret")
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            lookups.append(host)
            if len(lookups) == 1:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(FetchError) as e:
        safe_request("GET", f"http://rebind.example:{httpserver.port}/x", allow_http=True)
    assert e.value.code == "address_not_allowed"
    assert len(lookups) == 2  # it got as far as connecting …
    assert httpserver.log == []  # … and sent nothing


def test_http_is_refused_unless_allowed(httpserver, settings):
    settings.CALENDAR_FETCH_ALLOW_HTTP = False
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/feed.ics"))
    assert e.value.code == "scheme_not_allowed"


@pytest.mark.parametrize("url", ["ftp://example.com/x.ics", "file:///etc/passwd", "https://", "not a url",
                                 "https://user:pw@example.com/x.ics", "https://example.com:99999/"])
def test_other_schemes_and_malformed_addresses_are_refused(url):
    with pytest.raises(FetchError) as e:
        safe_request("GET", url)
    assert e.value.code in {"bad_url", "scheme_not_allowed"}


def test_a_declared_body_over_the_limit_is_refused_before_reading(httpserver):
    httpserver.expect_request("/huge.ics").respond_with_data("x" * 5000)
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/huge.ics"), max_bytes=4096)
    assert e.value.code == "too_large"


def test_a_streamed_body_is_counted_and_cut_at_the_limit(httpserver):
    sent = []

    def endless(request):
        def body():
            for _ in range(10_000):  # 160 MB if nobody stops reading
                sent.append(1)
                yield b"y" * 16384
        return Response(body(), mimetype="text/calendar")  # chunked: no Content-Length

    httpserver.expect_request("/stream.ics").respond_with_handler(endless)
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/stream.ics"), max_bytes=100_000)
    assert e.value.code == "too_large"
    assert len(sent) < 1000  # the server stopped when we hung up (the rest sat in socket buffers)


def test_a_slow_server_times_out(httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response("BEGIN:VCALENDAR")

    httpserver.expect_request("/slow.ics").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/slow.ics"), timeout=(1, 0.5))
    assert e.value.code == "timeout"
    assert time.monotonic() - started < 1.4


def test_a_server_that_trickles_is_stopped_by_the_overall_deadline(httpserver):
    def trickle(request):
        def body():
            for _ in range(40):
                time.sleep(0.1)
                yield b"x" * 20000
        return Response(body())

    httpserver.expect_request("/trickle.ics").respond_with_handler(trickle)
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/trickle.ics"), timeout=(0.5, 0.5))
    assert e.value.code == "timeout"
    assert time.monotonic() - started < 3


def _chain(httpserver, hops: int):
    for i in range(hops):
        httpserver.expect_request(f"/hop{i}").respond_with_data("", status=302, headers={"Location": f"/hop{i + 1}"})
    httpserver.expect_request(f"/hop{hops}").respond_with_data("BEGIN:VCALENDAR")


def test_at_most_n_redirects_are_followed(httpserver):
    _chain(httpserver, 3)
    r = safe_request("GET", httpserver.url_for("/hop0"), max_redirects=3)
    assert (r.status_code, r.redirects) == (200, 3)
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/hop0"), max_redirects=2)
    assert e.value.code == "too_many_redirects"


def test_each_redirect_hop_is_checked_again(httpserver, settings, public_loopback):
    settings.CALENDAR_FETCH_ALLOW_PRIVATE = False
    httpserver.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/start"), allow_http=True)
    assert e.value.code == "address_not_allowed"
    httpserver.expect_request("/to-ftp").respond_with_data("", status=301, headers={"Location": "ftp://x.example/"})
    with pytest.raises(FetchError) as e:
        safe_request("GET", httpserver.url_for("/to-ftp"), allow_http=True)
    assert e.value.code == "bad_url"


def test_credentials_are_not_sent_to_another_host_after_a_redirect(httpserver):
    httpserver.expect_request("/dav").respond_with_data(
        "", status=307, headers={"Location": f"http://127.0.0.1:{httpserver.port}/elsewhere"})
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    assert httpserver.url_for("/dav").startswith("http://localhost:")
    safe_request("PROPFIND", httpserver.url_for("/dav"), auth=("anna", "app-password"))
    first, second = (entry[0] for entry in httpserver.log)
    assert first.headers.get("Authorization", "").startswith("Basic ")
    assert "Authorization" not in second.headers


@pytest.mark.parametrize("path,status", [("/gone.ics", 404), ("/broken.ics", 500)])
def test_error_statuses_are_returned_not_raised(httpserver, path, status):
    httpserver.expect_request(path).respond_with_data("nope", status=status)
    assert safe_request("GET", httpserver.url_for(path)).status_code == status


def test_the_secret_url_is_never_logged_nor_in_an_error(httpserver, caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(f"/{SECRET}/redirect").respond_with_data(
        "", status=302, headers={"Location": f"/{SECRET}/basic.ics"})
    httpserver.expect_request(f"/{SECRET}/basic.ics").respond_with_data("BEGIN:VCALENDAR")
    httpserver.expect_request(f"/{SECRET}/huge.ics").respond_with_data("x" * 5000)
    safe_request("GET", httpserver.url_for(f"/{SECRET}/redirect"))
    errors = []
    for url, kwargs in [(httpserver.url_for(f"/{SECRET}/huge.ics"), {"max_bytes": 100}),
                        (f"http://127.0.0.1:1/{SECRET}/closed.ics", {}),
                        (f"https://{SECRET}.invalid/{SECRET}", {"allow_private": False})]:
        with pytest.raises(FetchError) as e:
            safe_request("GET", url, **kwargs)
        errors.append(e.value)
    assert caplog.records  # urllib3 and others did log …
    messages = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert not any(SECRET in m for m in messages)  # … never the address
    for error in errors:
        assert SECRET not in str(error) and SECRET not in repr(error.details)
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_a_redirected_propfind_stays_a_propfind_and_a_redirected_post_becomes_a_get(httpserver):
    httpserver.expect_request("/dav", method="PROPFIND").respond_with_data("", status=301,
                                                                           headers={"Location": "/dav/"})
    httpserver.expect_request("/dav/", method="PROPFIND").respond_with_data("<multistatus/>", status=207)
    assert safe_request("PROPFIND", httpserver.url_for("/dav"), data=b"<propfind/>").status_code == 207
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=302, headers={"Location": "/ok"})
    httpserver.expect_request("/ok", method="GET").respond_with_data("fine")
    assert safe_request("POST", httpserver.url_for("/hook"), data=b"{}").content == b"fine"
