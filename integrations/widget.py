"""The booking widget: a consultant's free times inside a frame on their own website.

Framing: only the widget's responses may be framed, and only by the origins the consultant listed
(`Consultant.widget_origins`): a per-response CSP `frame-ancestors` and no X-Frame-Options; every other page
keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`. An empty list gives `'none'` here too.

Booking: third-party cookies are blocked in current browsers, so the frame never signs anyone in. A time opens
the ordinary booking flow on Probono's own origin in a pop-up (a new tab without JavaScript), through
`widget_book`, which checks the website (`widget_origin`) against the consultant's list and remembers it in the
session. While that flow runs, its pages answer with `Cross-Origin-Opener-Policy: unsafe-none`
(WidgetPopupMiddleware): with our usual `same-origin`, the browser cuts the pop-up from the page that opened it
and nothing could be told. The confirmation page (booking's `confirmation_sections` signal) then posts
`{"type": "probono:booked", ...}` to that website's origin only, never "*", and to the widget frame itself.
"""

from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from booking.models import Booking
from consultants.models import Consultant, Slot
from consultants.picker import picker_build, zone_or_none
from consultants.selectors import slot_list_bookable

FLOW_KEY = "booking_widget"
FLOW_SECONDS = 3600  # how long a pop-up's booking flow counts as started in the widget
AFTER_CONFIRMATION_SECONDS = 300  # a reload of the confirmation page still tells the website
MAX_SLOTS = 300  # as the profile's picker


def _consultant_or_404(slug: str) -> Consultant:
    # Bookable as on the booking pages: an active consultant staff have not hidden (listing in the directory is not
    # needed: a consultant may show their times only on their own site).
    return get_object_or_404(Consultant.objects.select_related("user"), slug=slug, user__is_active=True,
                             hidden_by_staff=False)


def _origin_of(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def host_origin(request, consultant: Consultant) -> str:
    """The website the widget is shown on, when it is one the consultant listed, else "". Taken from the
    `widget_origin` parameter (kept by every link in the widget), or on the first load from the Referer that the
    website's page sends with the frame's request (the origin at least, under browsers' default referrer
    policy). Both are untrusted, hence the check against the list."""
    for candidate in (request.GET.get("widget_origin", ""), _origin_of(request.headers.get("Referer", ""))):
        if consultant.widget_origin_allowed(candidate):
            return candidate
    return ""


def frame_for(response: HttpResponse, consultant: Consultant) -> HttpResponse:
    """Let only the consultant's websites frame this response (CSP frame-ancestors; django-csp's per-response
    replace, which StaticCSPMiddleware hands to django-csp). X-Frame-Options cannot name an origin, so it is
    dropped where the list allows framing, and stays DENY where it does not."""
    origins = list(consultant.widget_origins or [])
    response._csp_replace = {"frame-ancestors": origins or ["'none'"]}
    response.xframe_options_exempt = bool(origins)
    return response


@require_GET
@never_cache
def widget(request, slug: str):
    """The page inside the frame: the month picker of the profile, in the viewer's zone, times as links that open
    the booking on Probono."""
    consultant = _consultant_or_404(slug)
    origin = host_origin(request, consultant)
    chosen = zone_or_none(request.GET.get("tz"))
    if chosen is not None:
        zone, source = chosen, "chosen"
    else:
        # Cookies rarely reach a frame on another site: the default zone, which the page's script replaces with
        # the browser's on the first load (static/js/probono.js), unless a tz cookie did arrive.
        known = zone_or_none(unquote(request.COOKIES.get("tz", ""))) is not None
        zone, source = request.time_zone, ("browser" if known else "default")
    timezone.activate(zone)
    slots = list(slot_list_bookable(consultant=consultant)[:MAX_SLOTS])
    picker = picker_build(slots=slots, zone=zone, month=request.GET.get("month"), day=request.GET.get("day"),
                          today=timezone.localdate(), extra={"widget_origin": origin})
    query = ("?" + urlencode({"widget_origin": origin})) if origin else ""
    for slot in picker.times:
        slot.widget_url = reverse("integrations:widget_book", args=[consultant.slug, slot.pk]) + query
    context = {"consultant": consultant, "picker": picker, "zone_source": source, "in_widget": True,
               "widget_origin": origin, "has_slots": bool(slots)}
    if request.htmx and request.htmx.target == "picker":
        response = render(request, "consultants/_picker.html", context)
    else:
        response = render(request, "integrations/widget.html", context)
    patch_vary_headers(response, ("Referer",))
    return frame_for(response, consultant)


@require_GET
def widget_book(request, slug: str, pk: int):
    """A time chosen in the widget, opened in the pop-up on Probono's own origin: remember the website (if it is one
    the consultant listed) for the confirmation page, then the ordinary booking flow."""
    consultant = _consultant_or_404(slug)
    slot = get_object_or_404(Slot, pk=pk, consultant=consultant)
    origin = request.GET.get("widget_origin", "")
    if consultant.widget_origin_allowed(origin):
        request.session[FLOW_KEY] = {"consultant": consultant.pk, "origin": origin,
                                     "until": (timezone.now() + timedelta(seconds=FLOW_SECONDS)).timestamp()}
    else:
        request.session.pop(FLOW_KEY, None)
    return redirect("booking:book", pk=slot.pk)


def _flow(request) -> dict | None:
    flow = request.session.get(FLOW_KEY)
    if not isinstance(flow, dict) or flow.get("until", 0) < timezone.now().timestamp():
        return None
    return flow


def confirmation_section(sender, *, request, booking: Booking, **kwargs) -> dict | None:
    """booking.signals.confirmation_sections: on the confirmation of a booking that started in this consultant's
    widget, the script that tells the website (its origin re-checked: the list may have changed meanwhile)."""
    flow = _flow(request)
    consultant = booking.consultant
    if flow is None or flow.get("consultant") != consultant.pk or not consultant.widget_origin_allowed(
            flow.get("origin")):
        return None
    flow["until"] = min(flow["until"], (timezone.now() + timedelta(seconds=AFTER_CONFIRMATION_SECONDS)).timestamp())
    request.session[FLOW_KEY] = flow
    slot = booking.slot
    message = {"type": "probono:booked", "status": booking.status, "consultant": consultant.slug,
               "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat()}
    return {"template": "integrations/_widget_booked.html",
            "context": {"origin": flow["origin"], "message": message}}


class WidgetPopupMiddleware:
    """While a booking that started in the widget runs in its pop-up, answer `Cross-Origin-Opener-Policy:
    unsafe-none` instead of Django's `same-origin`, so the browser keeps `window.opener` (the widget's frame) for
    the confirmation page. Only for that session's pages; everyone else keeps `same-origin`. Sits inside
    SecurityMiddleware, which only sets the header when a response has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not (settings.SESSION_COOKIE_NAME in request.COOKIES or session.modified):
            return response  # no session: nothing to load
        if _flow(request) is not None and "Cross-Origin-Opener-Policy" not in response:
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
