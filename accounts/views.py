import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import CompanyForm, InvitationAcceptForm, InviteForm, ProfileForm
from accounts.models import Membership, User
from accounts.ratelimits import limit_link_guesses
from accounts.selectors import company_for_user, member_list, membership_get, user_is_consultant
from accounts.services import AccountError, invitation_accept, member_invite, user_update_preferences


def home(request):
    return render(request, "accounts/home.html")


def _first_url(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@login_required
def dashboard(request):
    """Send each person to the page their role starts from."""
    user = request.user
    if user_is_consultant(user):
        target = _first_url("booking:consultant_dashboard", "consultants:calendar")
    elif company_for_user(user):
        target = _first_url("booking:company_dashboard", "accounts:company")
    elif user.is_staff:
        target = _first_url("reports:index", "admin:index")
    else:
        target = reverse("accounts:profile")
    return redirect(target or "accounts:profile")


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": user.name, "time_zone": user.time_zone,
                                                      "language": user.language})
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


def _company_membership_or_404(request) -> Membership:
    company = company_for_user(request.user)
    if company is None:
        raise Http404
    return membership_get(user=request.user, company=company)


@login_required
def company(request):
    membership = _company_membership_or_404(request)
    is_owner = membership.role == Membership.Role.OWNER
    company = membership.company
    form = CompanyForm(request.POST or None, instance=company) if is_owner else None
    if request.method == "POST":
        if not is_owner:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            company.name, company.country, company.org_number = d["company_name"], d["country"], d["org_number"]
            company.industry, company.size = d["industry"], d["size"]
            company.save()
            messages.success(request, _("Company details saved."))
            return redirect("accounts:company")
    return render(request, "accounts/company.html", {
        "company": company, "membership": membership, "is_owner": is_owner, "form": form,
        "members": member_list(company=company), "invite_form": InviteForm(),
    })


@login_required
@require_POST
def company_invite(request):
    membership = _company_membership_or_404(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            member_invite(company=membership.company, email=form.cleaned_data["email"], invited_by=request.user)
        except AccountError as e:
            if e.code == "not_owner":
                raise Http404 from None
            messages.error(request, _("%(email)s is already a member.") % {"email": form.cleaned_data["email"]})
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("accounts:company")
    return render(request, "accounts/company.html", {
        "company": membership.company, "membership": membership,
        "is_owner": membership.role == Membership.Role.OWNER,
        "form": CompanyForm(instance=membership.company), "members": member_list(company=membership.company),
        "invite_form": form,
    }, status=400)


@never_cache
@limit_link_guesses
def invitation(request, uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        raise Http404 from None
    if not default_token_generator.check_token(user, token):
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, user=user, initial={"name": user.name})
    if request.method == "POST" and form.is_valid():
        invitation_accept(user=user, **form.cleaned_data)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Probono!"))
        return redirect("dashboard")
    return render(request, "accounts/invitation.html", {"form": form, "invited": user})


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
    from django_q.brokers import get_broker
    from django_q.status import Stat

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
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse
    from django.template import loader

    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
