"""Site-wide pages that belong to no app: the home page, the dashboard redirect by role, the language switcher,
the health check, the 400/429/500/503 handlers and the CSRF failure page. config sits above every app, so it
may import any of them."""

import sys
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_q.brokers import get_broker
from django_q.status import Stat

from accounts.selectors import company_for_user, user_is_consultant


def home(request):
    return render(request, "home.html")


@login_required
def dashboard(request):
    """Send each person to the page their role starts from."""
    user = request.user
    if user_is_consultant(user):
        return redirect("booking:consultant_dashboard")
    if company_for_user(user):
        return redirect("booking:company_dashboard")
    if user.is_staff:
        return redirect("reports:index")
    return redirect("accounts:profile")


@require_POST
def set_language(request):
    """Like Django's set_language, but a signed-in person's choice is saved on their profile."""
    lang = request.POST.get("language", "")
    nxt = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if check_for_language(lang) and lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = lang
            request.user.save(update_fields=["language"])
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE)
    return response


@never_cache
def healthz(request):
    """Database and task queue state. 200 when both answer and a cluster's heartbeat is fresh."""
    body = {"database": "ok", "queue": {}}
    healthy = True
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as e:
        body["database"] = f"error: {e.__class__.__name__}"
        healthy = False
    body["database_ms"] = round((time.monotonic() - started) * 1000, 1)
    try:
        broker = get_broker()
        stats = Stat.get_all(broker=broker)
        ages = [(timezone.now() - s.timestamp).total_seconds() for s in stats]
        heartbeat = round(min(ages), 1) if ages else None
        body["queue"] = {"clusters": len(stats), "seconds_since_heartbeat": heartbeat,
                         "queued": broker.queue_size()}
        if heartbeat is None or heartbeat > settings.Q_HEARTBEAT_MAX_AGE:
            healthy = False
            body["queue"]["error"] = "no cluster heartbeat"
    except Exception as e:  # the broker is down: report it, never crash the health check
        body["queue"] = {"error": e.__class__.__name__}
        healthy = False
    body["status"] = "ok" if healthy else "unhealthy"
    return JsonResponse(body, status=200 if healthy else 503)


def server_error(request):
    """handler500: a lost or locked database is a friendly 503 (try again), anything else a plain 500.

    Static templates only: the database, the session and the user may all be unavailable here.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


# --- Error pages that need the request (the site's layout, the visitor's language) ----------------------------------
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a form left open past its session, or cookies blocked. Say so, in the site's
    layout and language, and offer the way back to the page the form was on."""
    back = request.META.get("HTTP_REFERER", "")
    try:
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure())
    except Exception:  # a host Django refuses: no way back but the start page
        safe = False
    response = render(request, "403_csrf.html", {"back_url": back if safe else ""}, status=403)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    """handler400 (Django's renders without the request, so without the layout's language and navigation).
    A request for a host we do not serve cannot be rendered with itself (every get_host() raises again): then
    the same page without the request's context."""
    from django.core.exceptions import DisallowedHost
    from django.http import HttpResponseBadRequest
    from django.template import loader

    if isinstance(exception, DisallowedHost):
        return HttpResponseBadRequest(loader.get_template("400.html").render())
    return render(request, "400.html", status=400)


def too_many_requests(request, exception=None):
    """handler429: allauth answers every limit (ours included) through it. A minute is the window of every
    per-address limit; the login lockout sets its own, exact Retry-After (accounts/adapter.py)."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
