"""The NPS survey page, opened from the e-mailed private link without logging in.

GET only shows the question (mail scanners and link previews open links: they must never record a score);
the score is recorded by the POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.ratelimits import limit_link_guesses, limit_posts
from booking.selectors import booking_get_for_member
from feedback.customer_nps import (
    CustomerNpsError,
    customer_nps_request_get,
    customer_nps_save,
    customer_nps_snapshots,
    figures_of,
)
from feedback.customer_nps_import import MAX_BYTES, ImportRefused, parse_export
from feedback.forms import CustomerNpsForm, FeedbackForm
from feedback.models import CustomerNpsSnapshot, Feedback
from feedback.selectors import feedback_can_answer, feedback_edit_deadline, feedback_get_by_token
from feedback.services import FeedbackError, feedback_answer


def _get_feedback_for_token(token: str) -> Feedback:
    feedback = feedback_get_by_token(token)
    if feedback is None:
        raise Http404
    return feedback


@never_cache
@limit_link_guesses
@limit_posts("survey")
def feedback(request, token: str):
    survey = _get_feedback_for_token(token)
    consultant = survey.booking.consultant
    can_answer = feedback_can_answer(survey)
    initial = ({"score": survey.score, "comment": survey.comment, "show_company": survey.show_company}
               if survey.answered_at else {})
    form = FeedbackForm(request.POST if request.method == "POST" else None, initial=initial,
                        consultant_name=consultant.display_name)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_answer(feedback=survey, **form.cleaned_data)
            except FeedbackError as e:
                messages.error(request, e.message)
                return redirect("booking:feedback", token=token)
            messages.success(request, _("Thank you! Your answer is saved."))
            return redirect("booking:feedback", token=token)
        status = 400
    return render(request, "feedback/survey.html", {
        "survey": survey, "consultant": consultant, "form": form, "can_answer": can_answer,
        "edit_deadline": feedback_edit_deadline(survey),
    }, status=status)


# --- the company's own customers' NPS ------------------------------------------------------------------------
def _save_customer_nps(request, *, booking, phase, by, form):
    """Parse and store; returns (snapshot or None, error messages)."""
    upload = form.cleaned_data.get("file")
    consent = form.cleaned_data.get("public_consent", False)
    try:
        if upload:
            if upload.size > MAX_BYTES:
                raise ImportRefused([_("The file is larger than 5 MB. Export only the score, date and comment "
                                       "columns.")])
            parsed = parse_export(data=upload.read(MAX_BYTES + 1), filename=upload.name)
            snapshot = customer_nps_save(booking=booking, phase=phase, by=by, parsed=parsed, filename=upload.name,
                                         public_consent=consent)
        else:
            snapshot = customer_nps_save(booking=booking, phase=phase, by=by, counts=form.counts(),
                                         public_consent=consent)
    except ImportRefused as e:
        return None, e.errors
    except CustomerNpsError as e:
        return None, [e.message]
    return snapshot, []


@login_required
@limit_posts("customer_nps")
def customer_nps_upload(request, pk: int):
    """The company gives its own customers' scores for a booking (before the session)."""
    booking = booking_get_for_member(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    form = CustomerNpsForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        snapshot, errors = _save_customer_nps(request, booking=booking, phase=CustomerNpsSnapshot.Phase.BEFORE,
                                              by=request.user, form=form)
        if snapshot is not None:
            messages.success(request, _("Thank you: %(n)s answers saved. Your consultant sees them before you meet.")
                             % {"n": snapshot.responses})
            return redirect("booking:company_booking", pk=booking.pk)
    existing = customer_nps_snapshots(booking).get(CustomerNpsSnapshot.Phase.BEFORE)
    return render(request, "feedback/customer_nps_form.html", {
        "form": form, "errors": errors, "booking": booking, "existing": existing,
        "figures": figures_of(existing) if existing else None,
    }, status=400 if errors or form.errors else 200)


@never_cache
@limit_link_guesses
@limit_posts("customer_nps")
def customer_nps_after(request, token: str):
    """The second snapshot, from the private link e-mailed after a completed engagement (no login)."""
    ask = customer_nps_request_get(token)
    if ask is None:
        raise Http404
    booking = ask.booking
    form = CustomerNpsForm(request.POST or None, request.FILES or None, ask_consent=True)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        snapshot, errors = _save_customer_nps(request, booking=booking, phase=CustomerNpsSnapshot.Phase.AFTER,
                                              by=None, form=form)
        if snapshot is not None:
            return render(request, "feedback/customer_nps_thanks.html", {
                "booking": booking, "snapshots": customer_nps_snapshots(booking)})
    existing = customer_nps_snapshots(booking).get(CustomerNpsSnapshot.Phase.AFTER)
    return render(request, "feedback/customer_nps_form.html", {
        "form": form, "errors": errors, "booking": booking, "existing": existing, "after": True,
        "figures": figures_of(existing) if existing else None,
    }, status=400 if errors or form.errors else 200)
