"""Staff reports (HTML + CSV), the consultant's feedback page, the promoter wall, and the company's data
export / deletion. Thin: parse, authorise, call a selector or service, render."""

import csv
import json
import re
import secrets
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Membership
from accounts.selectors import company_for_user, membership_get
from booking.models import Booking
from engagements.models import Engagement
from engagements.selectors import Stage
from reports.charts import funnel_chart, trend_chart
from reports.forms import PeriodForm
from reports.models import WallSettings
from reports.privacy import DataProtectionError, company_export_data
from reports.privacy import company_delete as company_delete_service
from reports.selectors import (
    Report,
    consultant_feedback,
    conversion_report,
    customer_nps_change_report,
    lead_rows,
    promoter_wall,
)
from reports.wall import (
    WallScreenError,
    wall_screen_create,
    wall_screen_data,
    wall_screen_get,
    wall_screen_list,
    wall_screen_revoke,
    wall_screen_version,
)


def staff_required(view):
    """Signed-out visitors go to the login page; signed-in people who are not staff get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# Staff reload the report often while discussing it; a minute-old figure is fine and spares the database the
# same aggregation over every booking (see reports/selectors.py: 10 queries, but each scans the period).
# The rendered table and charts are cached with it (keyed by the report's version and the language): with one
# row per consultant, rendering them cost more than fetching the cached figures (150 ms at 500 consultants).
REPORT_CACHE_SECONDS = 60


def _report_key(period) -> str:
    return f"reports:conversion:v2:{period.first}:{period.last}:{period.zone}"


def _report_for(period) -> tuple[Report, str]:
    """The period's report and a version that changes whenever the report is computed again."""
    key = _report_key(period)
    cached = cache.get(key)
    if cached is None:
        cached = (conversion_report(period=period), secrets.token_hex(8))
        cache.set(key, cached, REPORT_CACHE_SECONDS)
    return cached


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET if request.GET.get("period") else None, zone=timezone.get_current_timezone_name())


@staff_required
def index(request):
    form = _period_form(request)
    period = form.get_period()
    context = {"form": form}
    if period is not None:
        report, version = _report_for(period)
        context.update(customer_nps_changes=customer_nps_change_report())
        context.update(report=report, funnel=funnel_chart(report.funnel), trend=trend_chart(report.trend),
                       query=request.GET.urlencode(), report_version=version,
                       report_cache_seconds=REPORT_CACHE_SECONDS)
    return render(request, "reports/index.html", context, status=200 if period else 400)


# --- CSV ----------------------------------------------------------------------------------------------
class _Echo:
    def write(self, value):
        return value


def _number(value, semicolon: bool) -> str:
    if value is None:
        return ""
    text = str(value)
    return text.replace(".", ",") if semicolon else text


def _money(minor, semicolon: bool) -> str:
    if minor is None or minor == "":
        return ""
    return _number(Decimal(int(minor)).scaleb(-2), semicolon)


FORMULA_STARTS = ("=", "+", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-[0-9]+(?:[.,][0-9]+)?")


def _cell(value):
    """Neutralise text a spreadsheet would run as a formula (a company named "=HYPERLINK(…)"): prefix an
    apostrophe. Numbers, including negative ones like an NPS of −20, stay numbers."""
    if isinstance(value, str) and value and (
            value.startswith(FORMULA_STARTS) or (value[0] == "-" and not _PLAIN_NUMBER.fullmatch(value))):
        return "'" + value  # "-2+3" or "-1+cmd|…" is a formula to Excel; "-20" and "-4,5" stay numbers
    return value


def _csv(request, filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """UTF-8 with a BOM (Excel then reads the letters right); `?sep=semicolon` for Nordic Excel, which also
    gets decimal commas."""
    semicolon = request.GET.get("sep") == "semicolon"
    writer = csv.writer(_Echo(), delimiter=";" if semicolon else ",")

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows(semicolon):
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CURRENCIES = ("SEK", "DKK", "EUR")


@staff_required
def conversions_csv(request):
    form = _period_form(request)
    period = form.get_period()
    if period is None:
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                            content_type="text/plain; charset=utf-8")
    report, _version = _report_for(period)
    header = ["consultant", "slots_published", "booked", "utilisation_percent", "held", "no_shows",
              "no_show_rate_percent", "proposals_sent", "won", "conversion_percent",
              *[f"revenue_ex_vat_{c}" for c in CURRENCIES], "median_days_session_to_payment", "pro_bono_hours",
              *[f"pro_bono_value_{c}" for c in CURRENCIES], "nps", "responses"]

    def rows(semi):
        for r in [*report.rows, report.total]:
            yield [r.name if r.consultant_id else _("Total"), r.published, r.booked, _number(r.utilisation, semi),
                   r.held, r.no_shows, _number(r.no_show_rate, semi), r.proposals, r.won,
                   _number(r.conversion, semi), *[_money(r.revenue.get(c), semi) for c in CURRENCIES],
                   _number(r.median_days, semi), _number(r.pro_bono_hours, semi),
                   *[_money(r.pro_bono_value.get(c), semi) for c in CURRENCIES], _number(r.nps, semi), r.responses]

    return _csv(request, f"conversions-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv", header, rows)


@staff_required
def leads_csv(request):
    """Every lead ever (or those of a period when one is given), streamed: constant memory and queries."""
    form = _period_form(request)
    period = form.get_period() if request.GET.get("period") else None
    if request.GET.get("period") and period is None:
        return HttpResponse(status=400)
    statuses = dict(Booking.Status.choices)
    proposal_statuses = dict(Engagement.Status.choices)
    zone = timezone.get_current_timezone()
    header = ["booking_id", "booked_at", "session_at", "consultant", "company", "status", "stage",
              "proposal_value_ex_vat", "proposal_currency", "proposal_status", "won_value_ex_vat", "paid_at"]

    def when(value):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def rows(semi):
        for (pk, created, starts, consultant, company, status, stage, amount, currency, p_status, won,
             paid_at) in lead_rows(period=period):
            yield [pk, when(created), when(starts), consultant, company, str(statuses.get(status, status)),
                   str(Stage.LABELS.get(stage, stage)), _money(amount, semi), currency or "",
                   str(proposal_statuses.get(p_status, p_status or "")), _money(won, semi), when(paid_at)]

    return _csv(request, "leads.csv", header, rows)


# --- consultant ---------------------------------------------------------------------------------------
@login_required
def my_feedback(request):
    consultant = getattr(request.user, "consultant", None)
    if consultant is None:
        raise Http404
    data = consultant_feedback(consultant=consultant, zone=timezone.get_current_timezone_name())
    return render(request, "reports/my_feedback.html", {"consultant": consultant, "data": data})


# --- promoter wall ------------------------------------------------------------------------------------
@never_cache
def wall(request):
    # Signed-in people may always look, so only visitors cost the settings query.
    if not request.user.is_authenticated and not WallSettings.current().is_public:
        if request.htmx:  # a poll after the session ended (or the wall was made private): go to the login page
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(reverse("reports:wall"))["Location"]
            return response
        return redirect_to_login(request.get_full_path())
    context = {"wall": promoter_wall(zone=timezone.get_current_timezone_name())}
    template = "reports/_wall_live.html" if request.htmx else "reports/wall.html"
    return render(request, template, context)


# --- wall screens (kiosk links) --------------------------------------------------------------------------
def _may_manage_screens(user) -> bool:
    return user.is_staff or getattr(user, "consultant", None) is not None


@login_required
def wall_screens(request):
    """Consultants make and revoke screen links for their own feedback; staff for everyone's. A new link is
    shown once, in the answer to the POST that made it (only its hash is kept)."""
    if not _may_manage_screens(request.user):
        raise Http404
    new_link = None
    if request.method == "POST":
        consultant = getattr(request.user, "consultant", None)
        if request.user.is_staff and request.POST.get("scope") != "mine":
            consultant = None
        screen, token = wall_screen_create(by=request.user, name=request.POST.get("name", ""), consultant=consultant)
        new_link = request.build_absolute_uri(reverse("reports:wall_screen", args=[token]))
    return render(request, "reports/wall_screens.html", {
        "screens": wall_screen_list(user=request.user), "new_link": new_link,
        "has_own": getattr(request.user, "consultant", None) is not None,
    })


@login_required
@require_POST
def wall_screen_revoke_view(request, pk: int):
    screen = wall_screen_list(user=request.user).filter(pk=pk).first() if _may_manage_screens(request.user) else None
    if screen is None:
        raise Http404
    try:
        if wall_screen_revoke(screen=screen, by=request.user):
            messages.success(request, _("The screen link “%(name)s” no longer works.") % {"name": screen.name})
    except WallScreenError as e:
        messages.error(request, e.message)
    return redirect("reports:wall_screens")


def _screen_zone(screen) -> str:
    return screen.consultant.time_zone if screen.consultant_id else timezone.get_current_timezone_name()


def _active_screen_or_404(token: str):
    screen = wall_screen_get(token=token)
    if screen is None or not screen.is_active:
        raise Http404
    return screen


@never_cache
def wall_screen(request, token: str):
    """The kiosk: full screen, no navigation, no login — the secret link is the credential."""
    screen = _active_screen_or_404(token)
    data = wall_screen_data(screen=screen, zone=_screen_zone(screen))
    return render(request, "reports/kiosk.html", {
        "screen": screen, "data": data, "data_url": reverse("reports:wall_screen_data", args=[token]),
        "version": wall_screen_version(screen=screen, zone=_screen_zone(screen), language=request.LANGUAGE_CODE),
    })


def wall_screen_data_view(request, token: str):
    """The screen's data as JSON, with an ETag: an unchanged wall answers 304 after one small query."""
    screen = wall_screen_get(token=token)
    if screen is None or not screen.is_active:
        response = HttpResponse(status=410 if screen else 404)
        response["Cache-Control"] = "no-store"
        return response
    zone = _screen_zone(screen)
    etag = wall_screen_version(screen=screen, zone=zone, language=request.LANGUAGE_CODE)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(json.dumps(wall_screen_data(screen=screen, zone=zone), cls=DjangoJSONEncoder),
                                content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Accept-Language, Cookie"
    return response


# --- data protection ----------------------------------------------------------------------------------
def _owned_company_or_404(request):
    company = company_for_user(request.user)
    membership = membership_get(user=request.user, company=company) if company else None
    if membership is None or membership.role != Membership.Role.OWNER:
        raise Http404
    return company


@login_required
def data_protection(request):
    company = _owned_company_or_404(request)
    return render(request, "reports/data_protection.html", {"company": company})


@login_required
@never_cache
def company_export(request):
    company = _owned_company_or_404(request)
    data = company_export_data(company=company, by=request.user)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="probono-company-{company.pk}.json"'
    return response


@login_required
def company_delete(request):
    company = _owned_company_or_404(request)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != company.name:
            error = _("Type the company name exactly as shown to confirm.")
        else:
            try:
                company_delete_service(company=company, by=request.user)
            except DataProtectionError as e:
                error = e.message
            else:
                logout(request)
                messages.success(request, _("Your company account was deleted. Thank you for using Probono."))
                return redirect("home")
    return render(request, "reports/company_delete.html", {"company": company, "error": error},
                  status=400 if error else 200)
