
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.api_tokens import ApiTokenError, api_token_create, api_token_list, api_token_revoke
from accounts.forms import ApiTokenForm, CompanyForm, InvitationAcceptForm, InviteForm, ProfileForm
from accounts.models import ApiToken, Membership, User
from accounts.ratelimits import limit_link_guesses, limit_posts
from accounts.selectors import company_for_user, member_list, membership_get
from accounts.services import AccountError, invitation_accept, member_invite, user_update_preferences


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
    return _profile_page(request, form=form)


NEW_TOKEN_KEY = "api_token_new"


def _profile_page(request, *, form: ProfileForm, token_form: ApiTokenForm | None = None, status: int = 200):
    # The plain token of a token created just now: shown on this one page view, then gone from the session.
    new_token = request.session.pop(NEW_TOKEN_KEY, None)
    return render(request, "accounts/profile.html", {
        "form": form, "token_form": token_form or ApiTokenForm(), "tokens": api_token_list(user=request.user),
        "new_token": new_token,
    }, status=status)


@login_required
@require_POST
@limit_posts("api_token")
def api_token_new(request):
    """Create a personal API token; its plain value is shown once, on the profile page that follows."""
    user = request.user
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            _token, plain = api_token_create(user=user, **token_form.cleaned_data)
        except ApiTokenError:
            messages.error(request, _("You have too many active tokens. Revoke one you no longer use first."))
        else:
            request.session[NEW_TOKEN_KEY] = plain
        return redirect(reverse("accounts:profile") + "#api-tokens")
    form = ProfileForm(initial={"name": user.name, "time_zone": user.time_zone, "language": user.language})
    return _profile_page(request, form=form, token_form=token_form, status=400)


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect(reverse("accounts:profile") + "#api-tokens")


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
            company.billing_address, company.vat_number = d["billing_address"].strip(), d["vat_number"]
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


@login_required
@require_POST
def time_zone_save(request):
    """The booking picker's "Save as my time zone": the zone a signed-in person chose there goes on their profile."""
    zone = request.POST.get("time_zone", "")
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = "/"
    user = request.user
    try:
        user_update_preferences(user=user, name=user.name, time_zone=zone, language=user.language)
    except ValidationError:
        messages.error(request, _("That is not a time zone we know."))
    else:
        messages.success(request, _("Your time zone is now %(zone)s.") % {"zone": zone.replace("_", " ")})
    return HttpResponseRedirect(nxt)
