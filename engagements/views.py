import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.confirm import confirm_page, confirmed
from accounts.models import Membership
from accounts.paging import Page, page_number
from accounts.selectors import company_for_user
from booking.models import Booking
from consultants.models import Consultant
from engagements import services
from engagements import stripe as stripe_api
from engagements.forms import DeclineForm, EngagementForm, GapItemFormSet, GapReportForm, MonthFilterForm
from engagements.invoice_pdf import invoice_pdf, reverse_charge_note
from engagements.invoice_pdf import payment_lines as invoice_payment_lines
from engagements.models import Engagement, GapReport, Invoice, Payment
from engagements.selectors import company_follow_ups, engagement_visible_to, outcomes_pending, pipeline_board
from engagements.services import EngagementError, Gap
from engagements.templatetags.engagements_money import money
from feedback.customer_nps import customer_nps_context

log = logging.getLogger(__name__)


# --- who may see what -----------------------------------------------------------------------------
def _get_consultant_for_user(request) -> Consultant:
    consultant = Consultant.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if consultant is None:
        raise Http404
    return consultant


def _get_booking_for_consultant(request, booking_id: int) -> Booking:
    consultant = _get_consultant_for_user(request)
    return get_object_or_404(Booking.objects.select_related("slot", "company", "consultant__user", "booked_by"),
                             pk=booking_id, consultant=consultant)


def _get_own_engagement(request, pk: int) -> Engagement:
    consultant = _get_consultant_for_user(request)
    return get_object_or_404(Engagement.objects.select_related("booking", "consultant__user", "company"),
                             pk=pk, consultant=consultant)


def _get_engagement_for_user(request, pk: int) -> Engagement:
    """The consultant, the company's members (once sent) and staff; 404 for everyone else."""
    engagement = Engagement.objects.select_related("booking__slot", "consultant__user", "company",
                                                   "accepted_by").filter(pk=pk).first()
    if engagement is None or not engagement_visible_to(request.user, engagement):
        raise Http404
    return engagement


def _is_member(request, company_id: int) -> bool:
    return Membership.objects.filter(user=request.user, company_id=company_id).exists()


def _payment_of(engagement: Engagement) -> Payment | None:
    return Payment.objects.filter(engagement=engagement).select_related("invoice").first()


# --- Session outcome -----------------------------------------------------------------------------
@login_required
def outcomes(request):
    consultant = _get_consultant_for_user(request)
    return render(request, "engagements/outcomes.html", {"bookings": outcomes_pending(consultant=consultant)})


@login_required
@require_POST
def outcome_record(request, booking_id: int):
    booking = _get_booking_for_consultant(request, booking_id)
    outcome = request.POST.get("outcome", "")
    try:
        services.session_record_outcome(booking=booking, outcome=outcome, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
        return redirect("engagements:outcomes")
    if outcome == "held":
        messages.success(request, _("Marked as held. Now write the gap report while it is fresh."))
        return redirect("engagements:gap_report_edit", booking.pk)
    messages.success(request, _("Marked as a no-show. The company has been told."))
    return redirect("engagements:outcomes")


# --- Consultant: one session's follow-up -----------------------------------------------------------
@login_required
def session(request, booking_id: int):
    booking = _get_booking_for_consultant(request, booking_id)
    report = GapReport.objects.filter(booking=booking).prefetch_related("items").first()
    engagements = Engagement.objects.filter(booking=booking).select_related("payment").order_by("-created_at")
    return render(request, "engagements/session.html",
                  {"booking": booking, "report": report, "engagements": engagements, "now": timezone.now(),
                   "customer_nps": customer_nps_context(booking, search=request.GET.get("q", "").strip())})


@login_required
def gap_report_edit(request, booking_id: int):
    booking = _get_booking_for_consultant(request, booking_id)
    if booking.status != Booking.Status.HELD:
        messages.error(request, EngagementError("not_held").message)
        return redirect("engagements:session", booking.pk)
    report = GapReport.objects.filter(booking=booking).first()
    if request.method == "POST":
        form = GapReportForm(request.POST)
        formset = GapItemFormSet(request.POST, prefix="gaps")
        if form.is_valid() and formset.is_valid():
            gaps = [Gap(title=f.cleaned_data["title"], priority=f.cleaned_data["priority"],
                        detail=f.cleaned_data.get("detail", ""))
                    for f in formset.forms if f.cleaned_data.get("title", "").strip()]
            report = services.gap_report_save(booking=booking, by=request.user, gaps=gaps, **form.cleaned_data)
            if "share" in request.POST and not report.is_shared:
                try:
                    services.gap_report_share(report=report, by=request.user)
                except EngagementError as e:
                    messages.error(request, e.message)
                    return redirect("engagements:gap_report_edit", booking.pk)
                messages.success(request, _("Shared. The company has been e-mailed a link to the report."))
                return redirect("engagements:session", booking.pk)
            messages.success(request, _("Gap report saved."))
            return redirect("engagements:gap_report_edit", booking.pk)
    else:
        initial = {"summary": report.summary, "recommendations": report.recommendations,
                   "next_steps": report.next_steps} if report else {}
        form = GapReportForm(initial=initial)
        items = [{"title": i.title, "priority": i.priority, "detail": i.detail} for i in report.items.all()] \
            if report else []
        formset = GapItemFormSet(initial=items, prefix="gaps")
    return render(request, "engagements/gap_report_edit.html",
                  {"booking": booking, "report": report, "form": form, "formset": formset},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def gap_report_share(request, booking_id: int):
    booking = _get_booking_for_consultant(request, booking_id)
    report = get_object_or_404(GapReport, booking=booking)
    try:
        services.gap_report_share(report=report, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Shared. The company has been e-mailed a link to the report."))
    return redirect("engagements:session", booking.pk)


@login_required
def engagement_new(request, booking_id: int):
    booking = _get_booking_for_consultant(request, booking_id)
    if booking.status != Booking.Status.HELD:
        messages.error(request, EngagementError("not_held").message)
        return redirect("engagements:session", booking.pk)
    form = EngagementForm(request.POST or None, initial={
        "currency": booking.consultant.currency, "valid_until": timezone.localdate() + timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(booking=booking, by=request.user, **form.service_kwargs())
        except EngagementError as e:
            form.add_error(None, e.message)
        else:
            if "send" in request.POST:
                return _send(request, engagement)
            messages.success(request, _("Draft saved. The company sees it once you send it."))
            return redirect("engagements:session", booking.pk)
    return render(request, "engagements/engagement_form.html", {"booking": booking, "form": form})


@login_required
def engagement_edit(request, pk: int):
    engagement = _get_own_engagement(request, pk)
    if engagement.status != Engagement.Status.DRAFT:
        return redirect("engagements:engagement", engagement.pk)
    form = EngagementForm(request.POST or None, initial=EngagementForm.initial_from(engagement))
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(engagement=engagement, by=request.user, **form.service_kwargs())
        except EngagementError as e:
            form.add_error(None, e.message)
        else:
            if "send" in request.POST:
                return _send(request, engagement)
            messages.success(request, _("Draft saved."))
            return redirect("engagements:session", engagement.booking_id)
    return render(request, "engagements/engagement_form.html",
                  {"booking": engagement.booking, "form": form, "engagement": engagement})


def _send(request, engagement: Engagement):
    try:
        services.engagement_propose(engagement=engagement, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Proposal sent. Everyone at %(company)s has been e-mailed.")
                         % {"company": engagement.company.name})
    return redirect("engagements:session", engagement.booking_id)


@login_required
@require_POST
def engagement_send(request, pk: int):
    return _send(request, _get_own_engagement(request, pk))


@login_required
@require_POST
def engagement_complete(request, pk: int):
    engagement = _get_own_engagement(request, pk)
    try:
        services.engagement_complete(engagement=engagement, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Marked as completed."))
    return redirect("engagements:session", engagement.booking_id)


@login_required
@require_POST
def engagement_cancel(request, pk: int):
    engagement = _get_own_engagement(request, pk)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Withdraw “%(title)s”?") % {"title": engagement.title},
            consequences=[_("%(company)s can no longer accept it, and the proposal shows as cancelled.")
                          % {"company": engagement.company.name},
                          _("To offer the work again, write a new proposal.")],
            yes=_("Yes, withdraw the proposal"),
            back_url=reverse("engagements:session", args=[engagement.booking_id]), back_label=_("No, keep it"))
    try:
        services.engagement_cancel(engagement=engagement, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("engagements:session", engagement.booking_id)


# --- Pipeline ----------------------------------------------------------------------------------
@login_required
def pipeline(request):
    # Through the user's one-to-one (cached on request.user), so the navigation's "is a consultant" check in
    # base.html asks the database nothing more; 404 for everyone else, as _get_consultant_for_user does.
    consultant = getattr(request.user, "consultant", None)
    if consultant is None:
        raise Http404
    form = MonthFilterForm(request.GET or None)
    month = form.cleaned_data["month"] if form.is_valid() else None
    board = pipeline_board(consultant=consultant, month=month, page=page_number(request.GET.get("page")))
    # Older held, won and lost leads page by page (the same three queries), keeping the month filter.
    pager = Page(items=[], number=board.page, has_next=board.has_next, params=request.GET)
    # Each card links to its session: reverse() once and put each id in its place, not a {% url %} per card
    # (~25 µs each, 8 ms for a board of 300 cards).
    session_url = reverse("engagements:session", args=[_URL_PLACEHOLDER]).split(str(_URL_PLACEHOLDER))
    assert len(session_url) == 2, session_url
    return render(request, "engagements/pipeline.html", {"board": board, "form": form, "month": month,
                                                         "session_url": session_url, "pager": pager})


_URL_PLACEHOLDER = 918273645


# --- Company side --------------------------------------------------------------------------------
@login_required
def gap_report(request, booking_id: int):
    """Company members see a shared report; the consultant sees theirs (also as a draft); others get 404."""
    report = (GapReport.objects.select_related("booking__consultant__user", "booking__company", "booking__slot")
              .prefetch_related("items").filter(booking__pk=booking_id).first())  # __pk: a 2**63 id is a 404
    if report is None:
        raise Http404
    booking = report.booking
    is_consultant = booking.consultant.user_id == request.user.pk
    if not is_consultant and not (report.is_shared and _is_member(request, booking.company_id)):
        raise Http404
    return render(request, "engagements/gap_report.html",
                  {"report": report, "booking": booking, "is_consultant": is_consultant})


@login_required
def company_follow_ups_view(request):
    company = company_for_user(request.user)
    if company is None:
        raise Http404
    reports, engagements = company_follow_ups(company_id=company.pk)
    return render(request, "engagements/company.html",
                  {"company": company, "reports": reports, "engagements": engagements})


@login_required
def engagement(request, pk: int):
    engagement = _get_engagement_for_user(request, pk)
    payment = _payment_of(engagement)
    if request.GET.get("checkout") == "cancelled" and engagement.status == Engagement.Status.ACCEPTED:
        messages.info(request, _("Payment was not completed. You can pay whenever you are ready."))
    return render(request, "engagements/engagement.html", {
        "engagement": engagement, "payment": payment,
        "invoice": getattr(payment, "invoice", None) if payment else None,
        "is_member": _is_member(request, engagement.company_id),
        "is_consultant": engagement.consultant.user_id == request.user.pk,
        "decline_form": DeclineForm(),
    })


def _member_engagement(request, pk: int) -> Engagement:
    engagement = _get_engagement_for_user(request, pk)
    if not _is_member(request, engagement.company_id):
        raise Http404
    return engagement


def _go_pay(request, engagement: Engagement, url: str | None):
    if url:
        return redirect(url)
    payment = _payment_of(engagement)
    invoice = getattr(payment, "invoice", None) if payment else None
    if invoice:
        return redirect("engagements:invoice", invoice.pk)
    return redirect("engagements:engagement", engagement.pk)


@login_required
@require_POST
def engagement_accept(request, pk: int):
    engagement = _member_engagement(request, pk)
    if not confirmed(request):
        total = money(engagement.total_minor, engagement.currency)
        pay = (_("Next you pay %(total)s by card on Stripe's payment page.") if settings.STRIPE_SECRET_KEY
               else _("An invoice for %(total)s, due in 30 days, is issued to your company at once."))
        pay = pay % {"total": total}
        return confirm_page(
            request, title=_("Accept “%(title)s”?") % {"title": engagement.title},
            consequences=[_("You agree to the scope and the price: %(total)s including VAT.") % {"total": total},
                          pay, _("%(name)s is told and can start the work.") % {"name": engagement.consultant}],
            yes=_("Yes, accept and pay"), danger=False,
            back_url=reverse("engagements:engagement", args=[engagement.pk]), back_label=_("Not yet"))
    try:
        engagement, url = services.engagement_accept(engagement=engagement, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
        return redirect("engagements:engagement", engagement.pk)
    except stripe_api.StripeError:
        log.exception("Could not start Stripe Checkout for engagement %s", engagement.pk)
        messages.warning(request, _("Accepted. The card payment page could not be opened just now; "
                                    "please try “Pay now” again in a moment."))
        return redirect("engagements:engagement", engagement.pk)
    messages.success(request, _("Thank you, the proposal is accepted."))
    return _go_pay(request, engagement, url)


@login_required
@require_POST
def engagement_pay(request, pk: int):
    engagement = _member_engagement(request, pk)
    payment = _payment_of(engagement)
    if payment is None or payment.status != Payment.Status.PENDING:
        return redirect("engagements:engagement", engagement.pk)
    try:
        url = services.payment_start(payment=payment)
    except stripe_api.StripeError:
        log.exception("Could not start Stripe Checkout for engagement %s", engagement.pk)
        messages.error(request, _("The card payment page could not be opened just now. Please try again."))
        return redirect("engagements:engagement", engagement.pk)
    return _go_pay(request, engagement, url)


@login_required
def engagement_decline(request, pk: int):
    engagement = _member_engagement(request, pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_decline(engagement=engagement, by=request.user, reason=form.cleaned_data["reason"])
        except EngagementError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Declined. %(name)s has been told.") % {"name": engagement.consultant})
        return redirect("engagements:engagement", engagement.pk)
    return render(request, "engagements/decline.html", {"engagement": engagement, "form": form})


@login_required
def checkout_success(request, pk: int):
    """Stripe sends the payer here. The session is re-fetched from Stripe (never trusted from the URL) and
    fulfilled the same way the webhook does it; whichever comes first marks the payment paid."""
    engagement = _member_engagement(request, pk)
    payment = _payment_of(engagement)
    session_id = request.GET.get("session_id", "")
    if payment is None or not payment.attempts.filter(session_id=session_id).exists():
        raise Http404
    if payment.status == Payment.Status.PENDING:
        try:
            session = stripe_api.checkout_session_retrieve(session_id)
        except stripe_api.StripeError:
            log.exception("Could not fetch Checkout Session %s", session_id)
        else:
            services.checkout_session_paid(session=session.as_dict())
        payment.refresh_from_db()
    return render(request, "engagements/checkout_success.html", {"engagement": engagement, "payment": payment})


# --- Invoices ------------------------------------------------------------------------------------
def _get_invoice_for_user(request, pk: int) -> Invoice:
    invoice = get_object_or_404(
        Invoice.objects.select_related("payment__engagement__consultant", "payment__engagement__company"), pk=pk)
    engagement = invoice.payment.engagement
    allowed = (request.user.is_staff or engagement.consultant.user_id == request.user.pk
               or _is_member(request, engagement.company_id))
    if not allowed:
        raise Http404
    return invoice


@login_required
def invoice(request, pk: int):
    invoice = _get_invoice_for_user(request, pk)
    return render(request, "engagements/invoice.html", {
        "invoice": invoice, "payment": invoice.payment, "engagement": invoice.payment.engagement,
        "payment_lines": invoice_payment_lines(invoice), "reverse_charge_note": reverse_charge_note(invoice),
    })


@login_required
def invoice_download(request, pk: int):
    """The same invoice as a PDF, labelled in the viewer's language."""
    invoice = _get_invoice_for_user(request, pk)
    response = HttpResponse(invoice_pdf(invoice=invoice, language=request.LANGUAGE_CODE),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_member_required
def invoice_list(request):
    invoices = (Invoice.objects.select_related("payment").filter(payment__status=Payment.Status.PENDING)
                .order_by("due_on", "pk"))
    recent = (Invoice.objects.select_related("payment").exclude(payment__status=Payment.Status.PENDING)
              .order_by("-payment__paid_at", "-pk")[:20])
    return render(request, "engagements/invoice_list.html", {"invoices": invoices, "recent": recent})


@require_POST
@login_required
def invoice_mark_paid(request, pk: int):
    if not request.user.is_staff:
        raise Http404
    invoice = get_object_or_404(Invoice.objects.select_related("payment"), pk=pk)
    if not confirmed(request):
        back = (reverse("engagements:invoice", args=[invoice.pk]) if request.POST.get("next") == "invoice"
                else reverse("engagements:invoice_list"))
        return confirm_page(
            request, title=_("Mark invoice %(number)s as paid?") % {"number": invoice.number},
            consequences=[_("%(total)s from %(company)s is recorded as received today, in your name.")
                          % {"total": money(invoice.total_minor, invoice.currency), "company": invoice.company_name},
                          _("The company gets a receipt by e-mail, and the engagement counts as won in the reports."),
                          _("Only do this once the money is in the account: it cannot be undone here.")],
            yes=_("Yes, it is paid"), danger=False, back_url=back, back_label=_("Not yet"))
    try:
        done = services.invoice_mark_paid(payment=invoice.payment, by=request.user)
    except EngagementError as e:
        messages.error(request, e.message)
    else:
        if done:
            messages.success(request, _("Invoice %(number)s is marked as paid.") % {"number": invoice.number})
        else:
            messages.info(request, _("Invoice %(number)s was already paid.") % {"number": invoice.number})
    if request.POST.get("next") == "invoice":
        return redirect("engagements:invoice", invoice.pk)
    return redirect("engagements:invoice_list")


# --- Stripe webhook -------------------------------------------------------------------------------
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify the signature against the raw body; store the event id once; act on it. 400 for anything
    unverifiable, 200 for a duplicate (Stripe stops retrying), 500 (raised) when acting fails, so it retries."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponseBadRequest("webhook secret not configured")
    try:
        event = stripe_api.event_verify(payload=request.body,
                                        signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe_api.SignatureError):
        return HttpResponseBadRequest("invalid signature")
    if not isinstance(event, dict) or not event.get("id"):
        return HttpResponseBadRequest("invalid event")
    services.stripe_event_process(event=event)
    return HttpResponse("ok")
