"""Booking pages: the booking flow, the manage link, both dashboards, the questionnaire builder and calendar files.

Thin: parse, authorise (helpers that 404 for outsiders), call a service, render. Every refusal from a
service (BookingError) becomes a friendly message; a lost race shows the consultant's next free times.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.confirm import confirm_page, confirmed
from accounts.models import Membership
from accounts.paging import page_number
from accounts.ratelimits import limit_link_guesses, limit_posts
from accounts.selectors import company_for_user
from booking.fair_use import FairUseRefusal, fair_use_check
from booking.feed import consultant_by_feed_token, feed_bookings
from booking.forms import (
    CancelForm,
    CompanyPhoneForm,
    ConsultantCancelForm,
    DeclineForm,
    QuestionFormSet,
    RescheduleForm,
    SessionPlaceForm,
    question_initial,
)
from booking.invites import (
    booking_calendar,
    booking_place_text,
    consultant_feed,
    google_calendar_url,
    outlook_calendar_url,
)
from booking.models import Booking, IntakeAnswer, Questionnaire
from booking.questionnaires import (
    IntakeForm,
    builder_languages,
    questionnaire_get_current,
    questionnaire_get_with_questions,
    questionnaire_save,
)
from booking.selectors import (
    booking_get_by_token,
    booking_get_for_consultant,
    booking_get_for_member,
    booking_list_awaiting_outcome,
    booking_list_for_company,
    booking_list_for_consultant,
    slot_list_free,
)
from booking.services import (
    BookingError,
    booking_approve,
    booking_cancel,
    booking_change_place,
    booking_create,
    booking_decline,
    booking_reschedule,
)
from booking.signals import confirmation_sections
from consultants.meeting import MeetingKind, MeetingPlace, phone_display, place_describe
from consultants.models import Consultant, Slot
from consultants.selectors import slot_bookable_check
from consultants.services import consultant_phone_region

DRAFT_KEY = "booking_draft"
TOKENS_KEY = "booking_manage_tokens"
SLOT_ERRORS = {"slot_taken", "slot_past", "slot_unavailable"}
OUTCOMES_SHOWN = 20


# --- helpers ---------------------------------------------------------------------------------------------------
def _slot_or_404(pk: int) -> Slot:
    return get_object_or_404(Slot.objects.select_related("consultant__user"), pk=pk,
                             consultant__user__is_active=True, consultant__hidden_by_staff=False)


def _consultant_or_404(request) -> Consultant:
    consultant = getattr(request.user, "consultant", None) if request.user.is_authenticated else None
    if consultant is None:
        raise Http404
    return consultant


def _is_bookable(slot: Slot) -> bool:
    return slot_bookable_check(slot, now=timezone.now()) is None


def slot_taken_page(request, slot: Slot, error: BookingError | None = None):
    """The friendly answer to a lost race or a slot that is no longer offered: the next free times instead.
    When it was the viewer's own company that took it (the back button after booking, a second click), their
    session instead."""
    if request.user.is_authenticated:
        own = (Booking.objects.filter(slot=slot, status__in=Booking.ACTIVE,
                                      company__in=Membership.objects.filter(user=request.user).values("company_id"))
               .values_list("pk", flat=True).first())
        if own is not None:
            messages.info(request, _("Your company has booked this time. Here is the session."))
            return redirect("booking:company_booking", pk=own)
    code = error.code if error else ("slot_taken" if slot.status == Slot.Status.BOOKED else "slot_unavailable")
    # Why the consultant no longer offers it, when that helps the company (a full month says when the next opens).
    refusal = slot_bookable_check(slot, now=timezone.now())
    reason = refusal.message if refusal is not None and refusal.lifts_at is not None else ""
    return render(request, "booking/taken.html", {
        "slot": slot, "consultant": slot.consultant, "code": code, "reason": reason,
        "free": slot_list_free(consultant=slot.consultant, exclude_pk=slot.pk, limit=6),
    }, status=409)


def _draft(request, slot: Slot) -> dict | None:
    draft = request.session.get(DRAFT_KEY)
    if draft and draft.get("slot") == slot.pk:
        return draft
    return None


def _draft_questionnaire(slot: Slot, draft: dict | None) -> Questionnaire:
    pk = draft.get("questionnaire") if draft else None
    if isinstance(pk, int):
        q = questionnaire_get_with_questions(pk=pk, consultant_id=slot.consultant_id)
        if q is not None:
            return q
    return questionnaire_get_current(slot.consultant)


def _bound_draft_form(questionnaire: Questionnaire, draft: dict) -> IntakeForm:
    from django.utils.datastructures import MultiValueDict

    return IntakeForm(MultiValueDict(draft.get("data") or {}), questions=questionnaire.questions.all())


def _needs_phone(slot: Slot) -> bool:
    return slot.consultant.place_kind == MeetingKind.PHONE_CONSULTANT_CALLS


def _phone_region(company) -> str:
    return company.country if company is not None and company.country in ("SE", "DK") else "SE"


def _steps_place(slot: Slot, phone: str = ""):
    """How the session will happen, as the booking steps say it: the kind (and city), never the link yet."""
    return place_describe(slot.consultant, consultant_name=slot.consultant.display_name, company_phone=phone,
                          booked=False)


def _url_if_exists(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- the booking flow -----------------------------------------------------------------------------------------
@never_cache
@limit_posts("booking")
def book(request, pk: int):
    """Step 1 and 2: the chosen time (in the viewer's zone) and the consultant's questionnaire."""
    slot = _slot_or_404(pk)
    if not _is_bookable(slot):
        return slot_taken_page(request, slot)
    draft = _draft(request, slot)
    questionnaire = _draft_questionnaire(slot, draft)
    questions = list(questionnaire.questions.all())
    # A signed-in member whose company may not book this time is told now, not after the questionnaire.
    company = company_for_user(request.user)
    refusal = _fair_use_refusal(company, slot)
    phone_form = None
    if _needs_phone(slot):  # the consultant calls: ask for the number here, with the questions
        phone_form = CompanyPhoneForm(request.POST if request.method == "POST" else None, prefix="place",
                                      region=_phone_region(company),
                                      initial={"company_phone": phone_display((draft or {}).get("phone", ""))})
    if request.method == "POST":
        form = IntakeForm(request.POST, questions=questions, company=company)
        phone_ok = phone_form is None or phone_form.is_valid()
        if refusal is None and form.is_valid() and phone_ok:
            request.session[DRAFT_KEY] = {
                "slot": slot.pk, "questionnaire": questionnaire.pk,
                "data": {name: request.POST.getlist(name) for name in form.fields},
                "phone": phone_form.cleaned_data["company_phone"] if phone_form else "",
            }
            return redirect("booking:review", pk=slot.pk)
    elif draft:
        form = _bound_draft_form(questionnaire, draft)  # coming back to change answers: keep them
    else:
        form = IntakeForm(questions=questions, company=company)
    return render(request, "booking/book.html", {
        "slot": slot, "consultant": slot.consultant, "form": form, "refusal": refusal, "phone_form": phone_form,
        "place": _steps_place(slot),
        "other_slots": slot_list_free(consultant=slot.consultant, exclude_pk=slot.pk, limit=8),
    }, status=409 if refusal and request.method == "POST" else 200)


def _fair_use_refusal(company, slot: Slot) -> str | None:
    if company is None:
        return None
    try:
        fair_use_check(company=company, slot=slot)
    except FairUseRefusal as r:
        return r.message
    return None


@never_cache
@limit_posts("booking")
def review(request, pk: int):
    """Step 3: review the answers, sign in or sign up if needed (answers wait in the session), confirm."""
    slot = _slot_or_404(pk)
    draft = _draft(request, slot)
    if draft is None:
        return redirect("booking:book", pk=slot.pk)
    if not _is_bookable(slot):
        return slot_taken_page(request, slot)
    questionnaire = _draft_questionnaire(slot, draft)
    form = _bound_draft_form(questionnaire, draft)
    if not form.is_valid() or (_needs_phone(slot) and not draft.get("phone")):
        return redirect("booking:book", pk=slot.pk)
    company = company_for_user(request.user)
    refusal = None
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        if company is None:
            raise Http404
        try:
            booking = booking_create(slot=slot, company=company, user=request.user, answers=form.answers(),
                                     questionnaire=questionnaire, company_phone=draft.get("phone", ""))
        except BookingError as e:
            if e.code in SLOT_ERRORS:
                return slot_taken_page(request, slot, e)
            if e.code in ("phone_missing", "phone_invalid"):  # the consultant switched to calling meanwhile
                messages.error(request, e.message)
                return redirect("booking:book", pk=slot.pk)
            refusal, status = e.message, 409
        else:
            request.session.pop(DRAFT_KEY, None)
            tokens = request.session.get(TOKENS_KEY, {})
            tokens[str(booking.pk)] = booking.manage_token
            request.session[TOKENS_KEY] = dict(list(tokens.items())[-5:])
            return redirect("booking:confirmation", pk=booking.pk)
    else:
        refusal = _fair_use_refusal(company, slot)
    next_q = urlencode({"next": request.path})
    return render(request, "booking/review.html", {
        "slot": slot, "consultant": slot.consultant, "form": form, "company": company, "refusal": refusal,
        "place": _steps_place(slot, draft.get("phone", "")),
        "answers": [IntakeAnswer(question_label=form.label_of(q), question_kind=q.kind, value=form.answers().get(q.pk))
                    for q in form.questions],
        "login_url": f"{reverse('account_login')}?{next_q}", "signup_url": f"{reverse('account_signup')}?{next_q}",
    }, status=status)


@login_required
@never_cache
def confirmation(request, pk: int):
    booking = booking_get_for_member(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    token = request.session.get(TOKENS_KEY, {}).get(str(booking.pk))
    sections = [section for _receiver, section in confirmation_sections.send(
        sender=Booking, request=request, booking=booking) if section]
    return render(request, "booking/confirmation.html", {
        "sections": sections,
        "booking": booking, "slot": booking.slot, "consultant": booking.consultant,
        "manage_url": request.build_absolute_uri(reverse("booking:manage", args=[token])) if token else "",
        "ics_url": _url_if_exists("booking:booking_ics", booking.pk),
        "place": booking_place_text(booking),
        "google_url": google_calendar_url(booking, manage_token=token or ""),
        "outlook_url": outlook_calendar_url(booking, manage_token=token or ""),
    })


# --- the manage link ------------------------------------------------------------------------------------------
def _change_forms(booking: Booking, data=None, action: str = ""):
    can_change = booking.is_active and booking.slot.starts_at > timezone.now()
    if not can_change:
        return None, None
    slots = slot_list_free(consultant=booking.consultant, exclude_pk=booking.slot_id, limit=30)
    cancel = CancelForm(data if action == "cancel" else None)
    reschedule = RescheduleForm(data if action == "reschedule" else None, slots=slots) if slots else None
    return cancel, reschedule


def _confirm_cancel(request, booking: Booking):
    """A cancel from the manage link or "Our sessions" asks first, saying what happens (None: nothing to ask)."""
    if request.POST.get("action") != "cancel" or confirmed(request):
        return None
    cancel_form, _move = _change_forms(booking, request.POST, "cancel")
    if cancel_form is None or not cancel_form.is_valid():
        return None
    name = booking.consultant.display_name
    when = date_format(timezone.localtime(booking.slot.starts_at), "DATETIME_FORMAT")
    return confirm_page(
        request,
        title=_("Cancel your session with %(name)s on %(when)s?") % {"name": name, "when": when},
        consequences=[
            _("%(name)s is told by e-mail, and the session leaves both calendars.") % {"name": name},
            _("The time becomes free: a company on %(name)s's waitlist is offered it first.") % {"name": name},
            _("Your company can book another free session afterwards.")],
        yes=_("Yes, cancel the session"), back_url=request.path, back_label=_("No, keep the session"))


def _handle_change(request, booking: Booking, *, by):
    """POST of cancel / reschedule from the manage link or the dashboard.

    Returns (done, cancel_form, move_form, status). A time that was free when the page was shown and is gone now
    (someone else moved or booked there first) is a lost race, not a mistake: the page comes back with 409, "this
    time was just taken" and the times that are free now, as booking does."""
    action = request.POST.get("action", "")
    cancel_form, move_form = _change_forms(booking, request.POST, action)
    if cancel_form is None:
        messages.error(request, _("This session can no longer be changed."))
        return True, None, None, 302
    try:
        if action == "cancel" and cancel_form.is_valid() and confirmed(request):
            booking_cancel(booking=booking, by=by, reason=cancel_form.cleaned_data["reason"])
            messages.success(request, _("The session is cancelled. The time is free for others again."))
            return True, None, None, 302
        if action == "reschedule" and move_form is not None and move_form.is_valid():
            booking_reschedule(booking=booking, new_slot=move_form.chosen_slot(), by=by)
            messages.success(request, _("The session is moved. A new calendar invite is on its way."))
            return True, None, None, 302
    except BookingError as e:
        if action == "reschedule" and e.code in SLOT_ERRORS:
            return _just_taken(request, booking, cancel_form)
        messages.error(request, e.message)
        return True, None, None, 302
    if action == "reschedule" and _chose_a_vanished_time(request, booking):
        return _just_taken(request, booking, cancel_form)
    return False, cancel_form, move_form, 400


def _chose_a_vanished_time(request, booking: Booking) -> bool:
    """The POSTed time is one of this consultant's future slots that is no longer free (not a forged id)."""
    raw = request.POST.get("slot", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        return False
    return (Slot.objects.filter(pk=int(raw), consultant_id=booking.consultant_id, starts_at__gt=timezone.now())
            .exclude(pk=booking.slot_id).exists())


def _just_taken(request, booking: Booking, cancel_form):
    messages.error(request, _("This time was just taken by someone else. Here are the times that are free now: "
                              "pick another one."))
    move_form = _change_forms(booking)[1]  # unbound, with the times free now
    if move_form is None:
        messages.info(request, _("No other free times right now. Your session stays where it was."))
    return False, cancel_form, move_form, 409


@never_cache
@limit_link_guesses
@limit_posts("booking")
def manage(request, token: str):
    """Anyone holding the link may see the session; only a POST changes it (mail scanners open every link)."""
    booking = booking_get_by_token(token)
    if booking is None:
        raise Http404
    status = 200
    if request.method == "POST" and (asking := _confirm_cancel(request, booking)) is not None:
        return asking
    if request.method == "POST":
        done, cancel_form, move_form, status = _handle_change(request, booking, by=booking.booked_by)
        if done:
            return redirect("booking:manage", token=token)
    else:
        cancel_form, move_form = _change_forms(booking)
    return render(request, "booking/manage.html", {
        "booking": booking, "slot": booking.slot, "consultant": booking.consultant,
        "cancel_form": cancel_form, "move_form": move_form, "action_url": request.path,
        "place": booking_place_text(booking) if booking.is_active else None,
        "directory_url": _url_if_exists("consultants:directory"),
    }, status=status)


# --- the company's sessions -----------------------------------------------------------------------------------
@login_required
def company_dashboard(request):
    company = company_for_user(request.user)
    if company is None:
        raise Http404
    upcoming, past = booking_list_for_company(company=company, past_page=page_number(request.GET.get("page")))
    past.params = request.GET
    _with_places(upcoming, for_consultant=False)
    return render(request, "booking/company_dashboard.html", {
        "company": company, "upcoming": upcoming, "past": past, "now": timezone.now(),
        "directory_url": _url_if_exists("consultants:directory"),
    })


@login_required
@limit_posts("booking")
def company_booking(request, pk: int):
    """One session of the company: details, answers, timeline, cancel and move."""
    booking = booking_get_for_member(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    status = 200
    if request.method == "POST" and (asking := _confirm_cancel(request, booking)) is not None:
        return asking
    if request.method == "POST":
        done, cancel_form, move_form, status = _handle_change(request, booking, by=request.user)
        if done:
            return redirect("booking:company_booking", pk=booking.pk)
    else:
        cancel_form, move_form = _change_forms(booking)
    return render(request, "booking/company_booking.html", {
        "booking": booking, "slot": booking.slot, "consultant": booking.consultant,
        "cancel_form": cancel_form, "move_form": move_form, "action_url": request.path,
        "place": booking_place_text(booking) if booking.is_active else None,
        "directory_url": _url_if_exists("consultants:directory"),
    }, status=status)


# --- the consultant's sessions --------------------------------------------------------------------------------
@login_required
def consultant_dashboard(request):
    consultant = _consultant_or_404(request)
    requests_, upcoming, others = booking_list_for_consultant(consultant=consultant,
                                                              past_page=page_number(request.GET.get("page")))
    others.params = request.GET
    _with_places(requests_ + upcoming, for_consultant=True)
    # The oldest sessions without an outcome, a page of them: the outcome page lists them all, one form each.
    awaiting = list(booking_list_awaiting_outcome(consultant=consultant)[:OUTCOMES_SHOWN + 1])
    return render(request, "booking/consultant_dashboard.html", {
        "consultant": consultant, "requests": requests_, "upcoming": upcoming, "others": others,
        "awaiting_outcome": awaiting[:OUTCOMES_SHOWN], "more_awaiting_outcome": len(awaiting) > OUTCOMES_SHOWN,
        "decline_form": DeclineForm(), "cancel_form": ConsultantCancelForm(),
    })


def _with_places(bookings: list[Booking], *, for_consultant: bool) -> None:
    """`booking.place` for each upcoming session (its own fields: no query)."""
    for b in bookings:
        b.place = booking_place_text(b, for_consultant=for_consultant)


def _consultant_booking_or_404(request, pk: int) -> Booking:
    _consultant_or_404(request)
    booking = booking_get_for_consultant(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    return booking


@login_required
@require_POST
def consultant_approve(request, pk: int):
    booking = _consultant_booking_or_404(request, pk)
    try:
        booking_approve(booking=booking, by=request.user)
    except BookingError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Confirmed. %(company)s gets the invitation.") % {"company": booking.company.name})
    return redirect("booking:consultant_dashboard")


@login_required
def consultant_decline(request, pk: int):
    booking = _consultant_booking_or_404(request, pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_decline(booking=booking, message=form.cleaned_data["message"], by=request.user)
        except BookingError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Declined. The time is free again."))
        return redirect("booking:consultant_dashboard")
    return render(request, "booking/consultant_action.html", {
        "booking": booking, "form": form, "action": "decline",
    }, status=400 if request.method == "POST" else 200)


@login_required
def consultant_cancel(request, pk: int):
    booking = _consultant_booking_or_404(request, pk)
    return _consultant_cancel(request, booking)


@login_required
@limit_posts("booking")
def consultant_move(request, pk: int):
    """The consultant moves a booked session to another of their free times (e.g. one that now conflicts with
    time off or a busy calendar); the company gets the move mail with the updated invite and its manage link."""
    return _consultant_move(request, _consultant_booking_or_404(request, pk))


@login_required
@limit_posts("booking")
def slot_booking_move(request, pk: int):
    """The same, from a conflict e-mail's link (which names the slot)."""
    return _consultant_move(request, _slot_booking_or_404(request, pk))


def _consultant_move(request, booking: Booking):
    if not (booking.is_active and booking.slot.starts_at > timezone.now()):
        messages.error(request, _("This session can no longer be changed."))
        return redirect("booking:consultant_dashboard")
    status = 200
    if request.method != "POST":
        move_form = _change_forms(booking)[1]
    else:
        move_form, status = _change_forms(booking, request.POST, "reschedule")[1], 400
        try:
            if move_form is not None and move_form.is_valid():
                booking_reschedule(booking=booking, new_slot=move_form.chosen_slot(), by=request.user)
                messages.success(request, _("The session with %(company)s is moved. They get a new calendar invite "
                                            "by e-mail.") % {"company": booking.company.name})
                return redirect("booking:consultant_dashboard")
            if _chose_a_vanished_time(request, booking):
                _done, _cancel, move_form, status = _just_taken(request, booking, None)
        except BookingError as e:
            if e.code not in SLOT_ERRORS:
                messages.error(request, e.message)
                return redirect("booking:consultant_dashboard")
            _done, _cancel, move_form, status = _just_taken(request, booking, None)
    return render(request, "booking/consultant_move.html", {"booking": booking, "form": move_form},
                  status=status)


@login_required
@limit_posts("booking")
def consultant_place(request, pk: int):
    """Change where one session happens; the company gets one short mail with the updated invite."""
    booking = _consultant_booking_or_404(request, pk)
    if not booking.is_active or booking.slot.starts_at <= timezone.now():
        messages.error(request, _("This session can no longer be changed."))
        return redirect("booking:consultant_dashboard")
    form = SessionPlaceForm(request.POST if request.method == "POST" else None, booking=booking, prefix="place",
                            phone_region=consultant_phone_region(booking.consultant))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            before = booking.invite_sequence
            booking_change_place(booking=booking, by=request.user,
                                 values={name: data.get(name, "") for name in MeetingPlace.PLACE_FIELDS},
                                 company_phone=data.get("company_phone") or None)
        except BookingError as e:
            form.add_error(None, e.message)
        except ValidationError as e:
            for name, errors in e.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            if booking.invite_sequence != before:
                messages.success(request, _("The meeting place is changed. %(company)s gets an e-mail with the "
                                            "updated invitation.") % {"company": booking.company.name})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("booking:consultant_dashboard")
    return render(request, "booking/consultant_place.html", {
        "booking": booking, "slot": booking.slot, "form": form,
        "place": booking_place_text(booking, for_consultant=True),
    }, status=400 if form.errors else 200)


@login_required
def slot_booking_cancel(request, pk: int):
    """The consultant cancels the booking on one of their slots; the slot becomes blocked."""
    return _consultant_cancel(request, _slot_booking_or_404(request, pk))


def _slot_booking_or_404(request, pk: int) -> Booking:
    """The active booking on one of the signed-in consultant's slots."""
    consultant = _consultant_or_404(request)
    slot = get_object_or_404(Slot, pk=pk, consultant=consultant)
    booking = (Booking.objects.filter(slot=slot, status__in=Booking.ACTIVE)
               .select_related("slot", "consultant", "company", "booked_by").first())
    if booking is None:
        raise Http404
    return booking


def _consultant_cancel(request, booking: Booking):
    form = ConsultantCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking_cancel(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
        except BookingError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The session with %(company)s is cancelled and the time is blocked.")
                             % {"company": booking.company.name})
        return redirect("booking:consultant_dashboard")
    return render(request, "booking/consultant_action.html", {
        "booking": booking, "form": form, "action": "cancel",
    }, status=400 if request.method == "POST" else 200)


# --- questionnaire builder ------------------------------------------------------------------------------------
@login_required
def questionnaire_edit(request):
    consultant = _consultant_or_404(request)
    current = questionnaire_get_current(consultant)
    others = builder_languages(consultant, current.questions.all())
    if request.method == "POST":
        formset = QuestionFormSet(request.POST, prefix="q", form_kwargs={"languages": others})
        if formset.is_valid():
            saved = questionnaire_save(consultant=consultant, questions=formset.questions())
            if saved.pk == current.pk:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Saved as version %(version)d. Earlier answers keep the questions "
                                            "as they were asked.") % {"version": saved.version})
            return redirect("booking:questionnaire_edit")
    else:
        formset = QuestionFormSet(initial=question_initial(current.questions.all()), prefix="q",
                                  form_kwargs={"languages": others})
    return render(request, "booking/questionnaire_edit.html", {
        "formset": formset, "questionnaire": current,
    }, status=400 if request.method == "POST" else 200)


# --- calendar files: the consultant's private feed, one booking's .ics -------------------------------------------
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@limit_link_guesses
def calendar_feed(request, token: str):
    """The consultant's private feed; the token is the only credential (rotating it kills the old URL)."""
    consultant = consultant_by_feed_token(token)
    if consultant is None:
        raise Http404
    response = _calendar_response(consultant_feed(consultant, feed_bookings(consultant)), "probono.ics")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _get_booking_for_user(request, pk: int) -> Booking:
    """A booking the signed-in person may see: a member of its company or its consultant; 404 for others."""
    user = request.user
    qs = Booking.objects.select_related("slot", "consultant__user", "company", "booked_by")
    return get_object_or_404(qs.filter(Q(company__memberships__user=user) | Q(consultant__user=user)).distinct(),
                             pk=pk)


@login_required
@require_GET
def booking_ics(request, pk: int):
    booking = _get_booking_for_user(request, pk)
    cancelled = booking.status in (Booking.Status.CANCELLED, Booking.Status.DECLINED, Booking.Status.EXPIRED)
    audience = "consultant" if booking.consultant.user_id == request.user.pk else "company"
    content = booking_calendar(booking, method="PUBLISH", cancelled=cancelled, audience=audience)
    response = _calendar_response(content, "probono-session.ics")
    response["Cache-Control"] = "private, no-store"
    return response
