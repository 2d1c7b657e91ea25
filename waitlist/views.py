"""The waitlist pages: join and leave on a consultant's profile, and the claim link from the offer e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ratelimits import limit_link_guesses, limit_posts
from accounts.selectors import company_for_user
from booking.errors import BookingError
from booking.models import Booking
from booking.questionnaires import IntakeForm, questionnaire_get_current
from booking.views import SLOT_ERRORS, slot_taken_page
from consultants.models import Consultant
from waitlist.models import WaitlistEntry, WaitlistOffer
from waitlist.selectors import waitlist_offer_get_by_token
from waitlist.services import WaitlistError, waitlist_claim, waitlist_join, waitlist_leave


def _profile_url(consultant: Consultant) -> str:
    try:
        return reverse("consultants:profile", args=[consultant.slug])
    except NoReverseMatch:
        return reverse("dashboard")


@login_required
@require_POST
@limit_posts("waitlist")
def waitlist_join_view(request, slug: str):
    consultant = get_object_or_404(Consultant, slug=slug, is_public=True, hidden_by_staff=False)
    company = company_for_user(request.user)
    if company is None:
        messages.error(request, _("Only members of a company can join a waitlist."))
        return redirect(_profile_url(consultant))
    try:
        waitlist_join(consultant=consultant, company=company, user=request.user)
    except WaitlistError as e:
        if e.code == "has_free_slot":
            messages.info(request, _("%(name)s has free times: pick one below.") % {"name": consultant.display_name})
        else:
            messages.info(request, _("Your company is already on %(name)s's waitlist.")
                          % {"name": consultant.display_name})
    else:
        messages.success(request, _("You are on %(name)s's waitlist. We will e-mail you when a time becomes free.")
                         % {"name": consultant.display_name})
    return redirect(_profile_url(consultant))


@login_required
@require_POST
@limit_posts("waitlist")
def waitlist_leave_view(request, pk: int):
    entry = get_object_or_404(WaitlistEntry.objects.select_related("consultant"), pk=pk,
                              company__memberships__user=request.user)
    waitlist_leave(entry=entry)
    messages.success(request, _("You have left %(name)s's waitlist.") % {"name": entry.consultant.display_name})
    return redirect(_profile_url(entry.consultant))


def _claim_error_message(code: str) -> str:
    return {
        "not_open": _("This offer has expired or was already used."),
        "not_member": _("This offer was made to another company. Log in with an account of that company."),
    }.get(code, "")


@never_cache
@require_http_methods(["GET", "POST"])
@limit_link_guesses
@limit_posts("waitlist")
def waitlist_claim_view(request, token: str):
    """GET shows the offer and the intake questions and changes nothing (mail scanners open links);
    only a POST from a signed-in member of the offered company books the slot."""
    offer = waitlist_offer_get_by_token(token)
    if offer is None:
        raise Http404
    consultant = offer.slot.consultant
    questionnaire = questionnaire_get_current(consultant)
    form = IntakeForm(request.POST or None, questions=questionnaire.questions.all())
    status = 200
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            booking = waitlist_claim(offer=offer, user=request.user, answers=form.answers(),
                                     questionnaire=questionnaire)
        except WaitlistError as e:
            messages.error(request, _claim_error_message(e.code))
            status = 400
        except BookingError as e:
            if e.code in SLOT_ERRORS:  # the held time was blocked or taken meanwhile: the next free times instead
                return slot_taken_page(request, offer.slot, e)
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("The session is yours. A confirmation is on its way by e-mail."))
            return redirect(_booking_done_url(booking))
        offer.refresh_from_db()
    elif request.method == "POST":
        status = 400 if request.user.is_authenticated else 403
    is_open = offer.status == WaitlistOffer.Status.OPEN and not offer.is_expired
    login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
    return render(request, "waitlist/claim.html", {
        "offer": offer, "slot": offer.slot, "consultant": consultant, "company": offer.entry.company,
        "is_open": is_open, "form": form, "login_url": login_url,
    }, status=status)


def _booking_done_url(booking: Booking) -> str:
    for name, args in (("booking:confirmation", [booking.pk]), ("booking:company_dashboard", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return reverse("dashboard")
