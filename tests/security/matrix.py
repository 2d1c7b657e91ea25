"""The security matrix: every URL that takes an object id or token, and every login-only page, with the answer
each of the six actors must get. tests/security/test_url_matrix.py checks it against the URLconf and the app;
test_csp.py renders every page an actor may see.

Codes: an int is the exact status; LOGIN is a redirect to allauth's login page, ADMIN_LOGIN to the admin login,
REDIRECT any other redirect. A new URL with a path converter (or a new page that sends visitors to the login
page) must get a row here, or test_every_url_with_an_id_or_token_or_login_is_in_the_matrix fails with its name.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from tests.security.world import ACTORS, World

LOGIN = "login"
ADMIN_LOGIN = "admin_login"
REDIRECT = "redirect"


def expect(anonymous=LOGIN, member=404, other_member=404, consultant=404, other_consultant=404, staff=404) -> dict:
    return {"anonymous": anonymous, "member": member, "other_member": other_member, "consultant": consultant,
            "other_consultant": other_consultant, "staff": staff}


def everyone(code) -> dict:
    return dict.fromkeys(ACTORS, code)


# GET on a POST-only view behind login_required: the login page for visitors, 405 for everyone signed in.
POST_ONLY = expect(member=405, other_member=405, consultant=405, other_consultant=405, staff=405)
CONSULTANT_OWN = expect(consultant=200)
MEMBER_OWN = expect(member=200)
# Staff pages: the login page for visitors, 403 for everyone else signed in.
STAFF_ONLY = expect(member=403, other_member=403, consultant=403, other_consultant=403, staff=200)
# A POST by someone who does not own the object: 404 (never a hint that it exists), and nothing changes.
FOREIGN_TO_CONSULTANT = {"anonymous": LOGIN, "member": 404, "other_member": 404, "other_consultant": 404,
                         "staff": 404}
# A POST to a staff page by anyone signed in who is not staff: 403, and nothing changes.
STAFF_POST_ONLY = {"anonymous": LOGIN, "member": 403, "other_member": 403, "consultant": 403,
                   "other_consultant": 403}
FOREIGN_TO_MEMBER = {"anonymous": LOGIN, "other_member": 404, "consultant": 404, "other_consultant": 404,
                     "staff": 404}


@dataclass(frozen=True)
class Row:
    name: str
    get: dict
    kwargs: Callable[[World], dict] = field(default=lambda w: {})
    # Actor → expected answer to a POST (only actors who must be refused; the database must not change).
    post: dict | None = None
    data: Callable[[World], dict] = field(default=lambda w: {})
    # Names of the kwargs that are tokens (str) or ids (int), for the "unknown value is a 404" sweep.
    note: str = ""


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _booking_id(attr):
    return lambda w: {"booking_id": getattr(w, attr).pk}


def _month(w):
    d = timezone.now().date()
    return {"year": d.year, "month": d.month}


def _tomorrow(w):
    return (timezone.now() + dt.timedelta(days=40)).date().isoformat()


MATRIX: list[Row] = [
    # --- accounts -----------------------------------------------------------------------------------------
    Row("dashboard", expect(member=REDIRECT, other_member=REDIRECT, consultant=REDIRECT, other_consultant=REDIRECT,
                            staff=REDIRECT)),
    Row("accounts:profile", expect(member=200, other_member=200, consultant=200, other_consultant=200, staff=200)),
    Row("accounts:time_zone", POST_ONLY),
    Row("accounts:company", expect(member=200, other_member=200),
        post={"consultant": 404, "other_consultant": 404, "staff": 404, "anonymous": LOGIN},
        data=lambda w: {"company_name": "Hijacked AB", "country": "SE", "org_number": "", "industry": "retail",
                        "size": "1-9"}),
    Row("accounts:api_token_new", POST_ONLY, post={"anonymous": LOGIN}, data=lambda w: {"name": "x", "scope": "read"},
        note="each signed-in person makes their own tokens"),
    Row("accounts:api_token_revoke", POST_ONLY, kwargs=_pk("api_token"), post=FOREIGN_TO_MEMBER,
        note="only the token's owner may revoke it"),
    Row("accounts:company_invite", POST_ONLY,
        post={"consultant": 404, "other_consultant": 404, "staff": 404, "anonymous": LOGIN},
        data=lambda w: {"email": "intruder@example.com"}),
    Row("accounts:invitation", everyone(200),
        kwargs=lambda w: {"uidb64": w.tokens["invitation_uidb64"], "token": w.tokens["invitation"]},
        note="the token is the credential"),
    # --- consultants --------------------------------------------------------------------------------------
    Row("consultants:profile", everyone(200), kwargs=lambda w: {"slug": w.consultant_profile.slug}),
    Row("consultants:calendar", expect(consultant=200, other_consultant=200)),
    Row("consultants:profile_edit", expect(consultant=200, other_consultant=200)),
    Row("consultants:settings", expect(consultant=200, other_consultant=200)),
    Row("consultants:feed_rotate", POST_ONLY,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:rules", expect(consultant=200, other_consultant=200)),
    Row("consultants:rule_edit", CONSULTANT_OWN, kwargs=_pk("rule"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"kind": "weekly", "weekday": 2, "start_time": "10:00", "end_time": "12:00",
                        "session_minutes": 60, "buffer_minutes": 0, "is_active": "on"}),
    Row("consultants:rule_delete", POST_ONLY, kwargs=_pk("rule"), post=FOREIGN_TO_CONSULTANT),
    Row("consultants:blackout_delete", POST_ONLY, kwargs=_pk("blackout"), post=FOREIGN_TO_CONSULTANT),
    # Overrides and holiday openings are addressed by date: each consultant changes only their own.
    Row("consultants:override_add", POST_ONLY,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:override_delete", POST_ONLY, kwargs=lambda w: {"year": 2031, "month": 3, "day": 3},
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:holiday_toggle", POST_ONLY, kwargs=lambda w: {"year": 2031, "month": 4, "day": 14},
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:month", expect(consultant=200, other_consultant=200), kwargs=_month,
        note="each consultant sees their own month"),
    Row("consultants:month_generate", POST_ONLY, kwargs=_month,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:month_publish", POST_ONLY, kwargs=_month,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404}),
    Row("consultants:slot_add", POST_ONLY, kwargs=_month,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404},
        data=lambda w: {"day": _tomorrow(w), "start": "10:00", "minutes": 60}),
    Row("consultants:slot_remove", POST_ONLY, kwargs=_pk("draft_slot"), post=FOREIGN_TO_CONSULTANT),
    Row("consultants:slot_block", POST_ONLY, kwargs=_pk("free_slot"), post=FOREIGN_TO_CONSULTANT),
    Row("consultants:slot_unblock", POST_ONLY, kwargs=_pk("free_slot"), post=FOREIGN_TO_CONSULTANT),
    # --- calendars ----------------------------------------------------------------------------------------
    Row("calendars:sources", expect(consultant=200, other_consultant=200), note="each consultant sees their own"),
    Row("calendars:add_ics", POST_ONLY, post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404},
        data=lambda w: {"ics-name": "Work", "ics-url": "https://calendar.example/x.ics"}),
    Row("calendars:add_caldav", POST_ONLY,
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "staff": 404},
        data=lambda w: {"caldav-name": "Dav", "caldav-url": "https://dav.example/", "caldav-username": "a",
                        "caldav-password": "b"}),
    Row("calendars:choose", POST_ONLY, kwargs=_pk("calendar_source"), post=FOREIGN_TO_CONSULTANT),
    Row("calendars:edit", POST_ONLY, kwargs=_pk("calendar_source"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {f"e{w.calendar_source.pk}-name": "Renamed"}),
    Row("calendars:refresh", POST_ONLY, kwargs=_pk("calendar_source"), post=FOREIGN_TO_CONSULTANT),
    Row("calendars:delete", POST_ONLY, kwargs=_pk("calendar_source"), post=FOREIGN_TO_CONSULTANT),
    # --- booking ------------------------------------------------------------------------------------------
    Row("booking:book", everyone(200), kwargs=_pk("free_slot"), note="public: a published future slot"),
    Row("booking:review", everyone(REDIRECT), kwargs=_pk("free_slot"), note="no answers yet: back to step 1"),
    Row("booking:confirmation", MEMBER_OWN, kwargs=_pk("booking")),
    Row("booking:manage", everyone(200), kwargs=lambda w: {"token": w.tokens["manage"]},
        note="the token is the credential"),
    Row("booking:company_dashboard", expect(member=200, other_member=200)),
    Row("booking:company_booking", MEMBER_OWN, kwargs=_pk("booking"), post=FOREIGN_TO_MEMBER,
        data=lambda w: {"action": "cancel", "reason": "not mine"}),
    Row("booking:consultant_dashboard", expect(consultant=200, other_consultant=200)),
    Row("booking:consultant_approve", POST_ONLY, kwargs=_pk("requested_booking"), post=FOREIGN_TO_CONSULTANT),
    Row("booking:consultant_decline", CONSULTANT_OWN, kwargs=_pk("requested_booking"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"message": "no"}),
    Row("booking:consultant_cancel", CONSULTANT_OWN, kwargs=_pk("booking"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"reason": "ill"}),
    Row("booking:consultant_place", CONSULTANT_OWN, kwargs=_pk("booking"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"place-place_kind": "phone_i_call", "place-company_phone": "070-123 45 67"},
        note="shows the session's link, number or address: its consultant only"),
    Row("booking:consultant_move", CONSULTANT_OWN, kwargs=_pk("booking"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"action": "reschedule", "slot": w.booking.slot_id}),
    Row("booking:slot_booking_move", CONSULTANT_OWN, kwargs=lambda w: {"pk": w.booking.slot_id},
        post=FOREIGN_TO_CONSULTANT, data=lambda w: {"action": "reschedule", "slot": w.booking.slot_id}),
    Row("booking:slot_booking_cancel", CONSULTANT_OWN, kwargs=lambda w: {"pk": w.booking.slot_id},
        post=FOREIGN_TO_CONSULTANT, data=lambda w: {"reason": "ill"}),
    Row("booking:questionnaire_edit", expect(consultant=200, other_consultant=200)),
    Row("booking:calendar_feed", everyone(200), kwargs=lambda w: {"token": w.tokens["feed"]},
        note="the token is the credential"),
    Row("booking:booking_ics", expect(member=200, consultant=200), kwargs=_pk("booking")),
    Row("booking:waitlist_join", POST_ONLY, kwargs=lambda w: {"slug": w.consultant_profile.slug}),
    Row("booking:waitlist_leave", POST_ONLY, kwargs=_pk("waitlist_entry"), post=FOREIGN_TO_MEMBER),
    Row("booking:waitlist_claim", everyone(200), kwargs=lambda w: {"token": w.tokens["waitlist_claim"]},
        post={"anonymous": 403, "other_member": 400, "consultant": 400, "other_consultant": 400, "staff": 400},
        note="anyone with the link sees the offer; only a member of the offered company can claim it"),
    Row("booking:feedback", everyone(200), kwargs=lambda w: {"token": w.tokens["survey"]},
        note="the e-mailed token is the credential; GET never records a score"),
    Row("booking:customer_nps_upload", MEMBER_OWN, kwargs=lambda w: {"pk": w.held_booking.pk},
        post=FOREIGN_TO_MEMBER, note="the company's own customers' scores: its members only"),
    Row("booking:customer_nps_after", everyone(200), kwargs=lambda w: {"token": w.tokens["customer_nps"]},
        note="the e-mailed link for the second snapshot is the credential"),
    # --- engagements --------------------------------------------------------------------------------------
    Row("engagements:outcomes", expect(consultant=200, other_consultant=200)),
    Row("engagements:outcome_record", POST_ONLY, kwargs=_booking_id("past_confirmed_booking"),
        post=FOREIGN_TO_CONSULTANT, data=lambda w: {"outcome": "no_show"}),
    Row("engagements:pipeline", expect(consultant=200, other_consultant=200)),
    Row("engagements:session", CONSULTANT_OWN, kwargs=_booking_id("held_booking")),
    Row("engagements:gap_report_edit", CONSULTANT_OWN, kwargs=_booking_id("held_booking"),
        post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"summary": "hijacked", "recommendations": "", "next_steps": "", "gaps-TOTAL_FORMS": "0",
                        "gaps-INITIAL_FORMS": "0"}),
    Row("engagements:gap_report_share", POST_ONLY, kwargs=_booking_id("held_booking"), post=FOREIGN_TO_CONSULTANT),
    Row("engagements:engagement_new", CONSULTANT_OWN, kwargs=_booking_id("held_booking"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"title": "Sneaky", "scope": "x", "amount": "100", "currency": "SEK", "vat_percent": "25",
                        "valid_until": _tomorrow(w)}),
    Row("engagements:engagement_edit", CONSULTANT_OWN, kwargs=_pk("engagement_draft"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"title": "Sneaky", "scope": "x", "amount": "100", "currency": "SEK", "vat_percent": "25",
                        "valid_until": _tomorrow(w)}),
    Row("engagements:engagement_send", POST_ONLY, kwargs=_pk("engagement_draft"), post=FOREIGN_TO_CONSULTANT),
    Row("engagements:engagement_complete", POST_ONLY, kwargs=_pk("engagement_accepted"), post=FOREIGN_TO_CONSULTANT),
    Row("engagements:engagement_cancel", POST_ONLY, kwargs=_pk("engagement_proposed"), post=FOREIGN_TO_CONSULTANT),
    Row("engagements:company", expect(member=200, other_member=200)),
    Row("engagements:gap_report", expect(member=200, consultant=200), kwargs=_booking_id("held_booking")),
    Row("engagements:engagement", expect(member=200, consultant=200, staff=200), kwargs=_pk("engagement_proposed"),
        note="staff may read a sent proposal"),
    Row("engagements:engagement_accept", POST_ONLY, kwargs=_pk("engagement_proposed"), post=FOREIGN_TO_MEMBER),
    Row("engagements:engagement_decline", MEMBER_OWN, kwargs=_pk("engagement_proposed"), post=FOREIGN_TO_MEMBER,
        data=lambda w: {"reason": "no"}),
    Row("engagements:engagement_pay", POST_ONLY, kwargs=_pk("engagement_accepted"), post=FOREIGN_TO_MEMBER),
    Row("engagements:checkout_success", expect(member=404), kwargs=_pk("engagement_accepted"),
        note="without a Checkout Session id of this payment even the member gets 404"),
    Row("engagements:invoice", expect(member=200, consultant=200, staff=200), kwargs=_pk("invoice")),
    Row("engagements:invoice_pdf", expect(member=200, consultant=200, staff=200), kwargs=_pk("invoice"),
        note="the PDF of the same invoice: the same people as its page"),
    Row("engagements:invoice_list", expect(member=ADMIN_LOGIN, other_member=ADMIN_LOGIN, consultant=ADMIN_LOGIN,
                                           other_consultant=ADMIN_LOGIN, staff=200, anonymous=ADMIN_LOGIN),
        note="staff_member_required sends everyone else to the admin login"),
    Row("engagements:invoice_mark_paid", everyone(405), kwargs=_pk("invoice"),
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "consultant": 404, "other_consultant": 404}),
    # --- integrations: the booking widget -----------------------------------------------------------------
    Row("integrations:widget", everyone(200), kwargs=lambda w: {"slug": w.consultant_profile.slug},
        note="public: the consultant's free times, framed only by the websites they list"),
    Row("integrations:widget_book", everyone(REDIRECT),
        kwargs=lambda w: {"slug": w.consultant_profile.slug, "pk": w.free_slot.pk},
        note="public: a time chosen in the widget opens the booking flow"),
    # --- integrations: webhooks ----------------------------------------------------------------------------
    Row("integrations:webhooks", expect(consultant=200, other_consultant=200), note="each consultant sees their own"),
    Row("integrations:webhook_add", POST_ONLY, post={"anonymous": LOGIN, "member": 404, "other_member": 404,
                                                     "staff": 404},
        data=lambda w: {"url": "https://hooks.example.com/x", "events": ["booking.created"]},
        note="staff who are not consultants add staff-wide endpoints on their own page"),
    Row("integrations:webhook", CONSULTANT_OWN, kwargs=_pk("webhook_endpoint"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"url": "https://evil.example/x", "events": ["booking.created"], "is_active": "on"}),
    Row("integrations:webhook_rotate", POST_ONLY, kwargs=_pk("webhook_endpoint"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"confirmed": "1"}),
    Row("integrations:webhook_delete", POST_ONLY, kwargs=_pk("webhook_endpoint"), post=FOREIGN_TO_CONSULTANT,
        data=lambda w: {"confirmed": "1"}),
    Row("integrations:webhook_replay", POST_ONLY, kwargs=_pk("webhook_delivery"), post=FOREIGN_TO_CONSULTANT),
    Row("integrations:staff_webhooks", STAFF_ONLY, note="staff-wide endpoints get every consultant's events"),
    Row("integrations:staff_webhook_add", POST_ONLY, post=STAFF_POST_ONLY,
        data=lambda w: {"url": "https://hooks.example.com/x", "events": ["booking.created"]}),
    Row("integrations:staff_webhook", STAFF_ONLY, kwargs=_pk("staff_webhook_endpoint"), post=STAFF_POST_ONLY,
        data=lambda w: {"url": "https://evil.example/x", "events": ["booking.created"], "is_active": "on"}),
    Row("integrations:staff_webhook_rotate", POST_ONLY, kwargs=_pk("staff_webhook_endpoint"), post=STAFF_POST_ONLY,
        data=lambda w: {"confirmed": "1"}),
    Row("integrations:staff_webhook_delete", POST_ONLY, kwargs=_pk("staff_webhook_endpoint"), post=STAFF_POST_ONLY,
        data=lambda w: {"confirmed": "1"}),
    Row("integrations:staff_webhook_replay", POST_ONLY, kwargs=_pk("staff_webhook_delivery"), post=STAFF_POST_ONLY),
    # --- reports --------------------------------------------------------------------------------------------
    Row("reports:index", STAFF_ONLY),
    Row("reports:conversions_csv", STAFF_ONLY),
    Row("reports:leads_csv", STAFF_ONLY),
    Row("reports:my_feedback", expect(consultant=200, other_consultant=200)),
    Row("reports:wall", expect(member=200, other_member=200, consultant=200, other_consultant=200, staff=200),
        note="login-only while the wall is not made public by staff"),
    Row("reports:wall_screens", expect(consultant=200, other_consultant=200, staff=200),
        post={"anonymous": LOGIN, "member": 404, "other_member": 404},
        note="consultants make links for their own feedback, staff for everyone's"),
    Row("reports:wall_screen_revoke", POST_ONLY, kwargs=_pk("wall_screen"),
        post={"anonymous": LOGIN, "member": 404, "other_member": 404, "other_consultant": 404}),
    Row("reports:wall_screen", everyone(200), kwargs=lambda w: {"token": w.tokens["wall_screen"]},
        note="the secret screen link is the credential; it shows only what the naming rules allow"),
    Row("reports:wall_screen_data", everyone(200), kwargs=lambda w: {"token": w.tokens["wall_screen"]},
        note="the screen's polling endpoint (JSON with an ETag)"),
    Row("reports:data_protection", expect(member=200, other_member=200), note="company owners only"),
    Row("reports:company_export", expect(member=200, other_member=200), note="each owner exports their own"),
    Row("reports:company_delete", expect(member=200, other_member=200),
        post={"anonymous": LOGIN, "other_member": 400, "consultant": 404, "other_consultant": 404, "staff": 404},
        data=lambda w: {"confirm_name": w.company.name}),
]

# --- the JSON API (/api/v1/) -----------------------------------------------------------------------------
# Answers as JSON: anonymous 401 (never the login page), someone else's object 404, a role's list it does not have
# 404 (a member has no sessions of their own to list), staff endpoints 403. GET on a POST-only operation is 405
# for everyone. tests/security/test_api_matrix.py checks each row with each actor's API token and with the session,
# POSTs the `post` rows as JSON, and sweeps every answer for data the actor may not see.
API = "integrations:api:"
API_MEMBER_LIST = expect(anonymous=401, member=200, other_member=200)
API_CONSULTANT_LIST = expect(anonymous=401, consultant=200, other_consultant=200)
API_STAFF = expect(anonymous=401, member=403, other_member=403, consultant=403, other_consultant=403, staff=200)
API_POST_ONLY = everyone(405)
_slug = lambda w: {"slug": w.consultant_profile.slug}  # noqa: E731


def _booking(attr):
    return lambda w: {"booking_id": getattr(w, attr).pk}


API_MATRIX: list[Row] = [
    Row(API + "consultant_list", everyone(200)),
    Row(API + "consultant_get", everyone(200), kwargs=_slug),
    Row(API + "consultant_slots", everyone(200), kwargs=_slug),
    Row(API + "consultant_questions", everyone(200), kwargs=_slug),
    Row(API + "booking_list", API_MEMBER_LIST),
    Row(API + "booking_create", API_MEMBER_LIST, note="GET on its address is the list",
        post={"anonymous": 401, "consultant": 404, "other_consultant": 404, "staff": 404},
        data=lambda w: {"slot_id": w.free_slot.pk, "answers": {}}),
    Row(API + "booking_get", expect(anonymous=401, member=200), kwargs=_booking("booking")),
    Row(API + "booking_cancel", API_POST_ONLY, kwargs=_booking("booking"), post=FOREIGN_TO_MEMBER | {"anonymous": 401},
        data=lambda w: {"reason": "not mine"}),
    Row(API + "booking_reschedule", API_POST_ONLY, kwargs=_booking("booking"),
        post=FOREIGN_TO_MEMBER | {"anonymous": 401}, data=lambda w: {"slot_id": w.free_slot.pk}),
    Row(API + "proposal_list", API_MEMBER_LIST),
    Row(API + "invoice_list", API_MEMBER_LIST),
    Row(API + "session_list", API_CONSULTANT_LIST),
    Row(API + "session_get", expect(anonymous=401, consultant=200), kwargs=_booking("booking"),
        note="with the company's answers and the meeting place: its consultant only"),
    Row(API + "session_outcome", API_POST_ONLY, kwargs=_booking("past_confirmed_booking"),
        post=FOREIGN_TO_CONSULTANT | {"anonymous": 401}, data=lambda w: {"outcome": "no_show"}),
    Row(API + "availability", API_CONSULTANT_LIST),
    Row(API + "pipeline_bookings", API_STAFF),
    Row(API + "pipeline_engagements", API_STAFF),
    Row(API + "pipeline_payments", API_STAFF),
    Row(API + "report_conversions", API_STAFF),
    Row("integrations:api_not_found", everyone(404), kwargs=lambda w: {"rest": "v0/bookings/1"},
        note="any other address under /api/ answers a JSON 404"),
]

ROWS = {row.name: row for row in MATRIX + API_MATRIX}
