"""Staff reports (HTML + CSV), the consultant's feedback page, the promoter wall, and the company's data
export / deletion. Thin: parse, authorise, call a selector or service, render."""

import csv
import json
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
from reports.selectors import Report, consultant_feedback, conversion_report, lead_rows, promoter_wall


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


def _cell(value):
    """Neutralise text a spreadsheet would run as a formula (a company named "=HYPERLINK(…)"): prefix an
    apostrophe. Numbers, including negative ones like an NPS of −20, stay numbers."""
    if isinstance(value, str) and value and (
            value.startswith(FORMULA_STARTS) or (value[0] == "-" and not value[1:2].isdigit())):
        return "'" + value
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
