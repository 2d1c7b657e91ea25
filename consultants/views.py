import calendar as pycalendar
import zoneinfo
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from consultants.availability import local_to_utc, month_bounds_utc, next_month, previous_month
from consultants.forms import (
    BlackoutForm,
    DirectoryFilterForm,
    LimitsForm,
    MeetingPlaceForm,
    OverrideForm,
    ProfileForm,
    RuleForm,
    SettingsForm,
    SlotAddForm,
    WidgetOriginsForm,
)
from consultants.models import AvailabilityRule, Blackout, Consultant, DateOverride, Expertise, Language, Slot
from consultants.offer import availability_load, reasons_by_day
from consultants.picker import picker_build, zone_or_none
from consultants.public_cache import cached_for_visitors
from consultants.selectors import (
    consultant_directory,
    consultant_tags,
    slot_list_bookable,
    slot_list_month,
    slot_offer_note,
)
from consultants.services import (
    ConsultantError,
    SlotError,
    blackout_add,
    blackout_delete,
    consultant_phone_region,
    consultant_rotate_feed_token,
    consultant_update_limits,
    consultant_update_meeting_place,
    consultant_update_profile,
    consultant_update_settings,
    consultant_update_widget_origins,
    holiday_open,
    override_clear,
    override_set,
    rule_delete,
    rule_save,
    slot_add,
    slot_block,
    slot_generate_month,
    slot_publish_month,
    slot_remove,
    slot_unblock,
)
from consultants.signals import month_review_context, public_profile_sections

S = Slot.Status
NEW_FEED_TOKEN_KEY = "consultants_new_feed_token"


def _get_consultant_for_user(request) -> Consultant:
    """The signed-in person's own consultant profile; 404 for everyone else (also for staff)."""
    if not request.user.is_authenticated:
        raise Http404
    consultant = Consultant.objects.filter(user=request.user).first()
    if consultant is None:
        raise Http404
    return consultant


def _get_slot_for_user(request, pk: int) -> tuple[Consultant, Slot]:
    consultant = _get_consultant_for_user(request)
    return consultant, get_object_or_404(Slot, pk=pk, consultant=consultant)


def _zone(consultant: Consultant) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(consultant.time_zone)


def _local_today(consultant: Consultant) -> date:
    return timezone.now().astimezone(_zone(consultant)).date()


def _month_or_404(year: int, month: int) -> date:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return date(year, month, 1)


def _date_or_404(year: int, month: int, day: int) -> date:
    if not (2000 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        raise Http404
    try:
        return date(year, month, day)
    except ValueError:
        raise Http404


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return fallback


def _month_url(d: date) -> str:
    return reverse("consultants:month", args=[d.year, d.month])


SLOT_ERRORS = {  # lazy: translated per request, in the viewer's language
    "booked": gettext_lazy("This slot is booked. Cancel the booking first."),
    "past": gettext_lazy("That time has already passed."),
    "overlap": gettext_lazy("That time overlaps another slot."),
    "break": gettext_lazy("That time is inside the break before or after another session (%(minutes)s minutes)."),
}


def _slot_error(request, error: SlotError) -> None:
    text = str(SLOT_ERRORS.get(error.code, _("That change is not possible.")))
    messages.error(request, text % {"minutes": str(error)} if "%(minutes)s" in text else text)


# --- Public pages -------------------------------------------------------------------------------
@cached_for_visitors
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    free_before = None
    if filters.get("free_this_month"):
        local_today = timezone.localdate()
        _start, free_before = month_bounds_utc(local_today, timezone.get_current_timezone())
    consultants = consultant_directory(expertise=filters.get("expertise", ""), language=filters.get("language", ""),
                                       free_before=free_before)
    page = Paginator(consultants, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consultants/directory.html",
                  {"form": form, "page": page, "consultants": _with_labels(page.object_list),
                   "query": query.urlencode()})


def _with_labels(consultants):
    """Each consultant with `expertise_labels` and `language_labels`, in the active language.

    Labels come from one dict per page: get_area_display() rebuilds the field's choices (hashing every lazy
    label) on each call, and 120 such calls were a fifth of the directory's render.
    """
    consultants = list(consultants)
    areas, languages = consultant_tags(consultant_ids=[c.pk for c in consultants])
    area_labels = {value: str(label) for value, label in Expertise.choices}
    language_labels = {value: str(label) for value, label in Language.choices}
    for c in consultants:
        c.expertise_labels = [area_labels.get(code, code) for code in areas[c.pk]]
        c.language_labels = [language_labels.get(code, code) for code in languages[c.pk]]
    return consultants


@cached_for_visitors
def profile(request, slug: str):
    consultant = get_object_or_404(
        Consultant.objects.select_related("user").prefetch_related("expertise", "languages"), slug=slug)
    is_owner = request.user.is_authenticated and consultant.user_id == request.user.pk
    visible = consultant.is_listed and consultant.user.is_active
    if not (visible or is_owner or (request.user.is_authenticated and request.user.is_staff)):
        raise Http404
    # The viewer's zone: one they chose (?tz=, the picker's "Times in"), their profile's, the browser's (the tz
    # cookie), or the default — which the page's script replaces with the browser's zone on the very first visit.
    chosen = zone_or_none(request.GET.get("tz"))
    if chosen is not None:
        zone, source = chosen, "chosen"
    elif request.user.is_authenticated:
        zone, source = request.time_zone, "profile"
    else:
        known = zone_or_none(unquote(request.COOKIES.get("tz", ""))) is not None
        zone, source = request.time_zone, ("browser" if known else "default")
    timezone.activate(zone)
    slots = list(slot_list_bookable(consultant=consultant)[:300])
    picker = picker_build(slots=slots, zone=zone, month=request.GET.get("month"), day=request.GET.get("day"),
                          today=timezone.localdate())
    context = {"consultant": consultant, "slots": slots, "picker": picker, "zone_source": source,
               "is_owner": is_owner, "visible": visible}
    if request.htmx and request.htmx.target == "picker":
        response = render(request, "consultants/_picker.html", context)
    else:
        context["sections"] = [section for _receiver, section in public_profile_sections.send(
            sender=Consultant, consultant=consultant) if section]
        response = render(request, "consultants/profile.html", context)
    if chosen is not None and not request.user.is_authenticated:
        # Later pages use it too (the middleware reads the cookie, written as the browser's script writes it).
        response.set_cookie("tz", quote(chosen.key, safe=""), max_age=365 * 24 * 3600, samesite="Lax")
    return response


# --- The consultant's own pages ------------------------------------------------------------------
@login_required
def profile_edit(request):
    consultant = _get_consultant_for_user(request)
    initial = {
        "display_name": consultant.display_name, "headline": consultant.headline, "bio": consultant.bio,
        "city": consultant.city, "time_zone": consultant.time_zone, "is_public": consultant.is_public,
        "show_nps": consultant.show_nps,
        "expertise": [e.area for e in consultant.expertise.all()],
        "languages": [lang.language for lang in consultant.languages.all()],
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            consultant_update_profile(consultant=consultant, **form.cleaned_data)
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("consultants:profile_edit")
    return render(request, "consultants/profile_edit.html", {"form": form, "consultant": consultant},
                  status=400 if form.errors else 200)


@login_required
def settings_view(request):
    consultant = _get_consultant_for_user(request)
    posted = request.POST.get("form") if request.method == "POST" else None
    posted_place, posted_widget = posted == "place", posted == "widget"
    form = SettingsForm(request.POST if request.method == "POST" and not (posted_place or posted_widget) else None,
                        initial={"requires_approval": consultant.requires_approval,
                                 "publish_ahead_days": consultant.publish_ahead_days})
    place_form = MeetingPlaceForm(request.POST if posted_place else None, prefix="place",
                                  initial=consultant.place_values(), phone_region=consultant_phone_region(consultant))
    widget_form = WidgetOriginsForm(request.POST if posted_widget else None, prefix="widget",
                                    initial={"widget_origins": "\n".join(consultant.widget_origins or [])})
    if posted_widget and widget_form.is_valid():
        consultant_update_widget_origins(consultant=consultant, origins=widget_form.cleaned_data["widget_origins"])
        messages.success(request, _("The websites for your booking widget are saved."))
        return redirect(reverse("consultants:settings") + "#widget")
    if request.method == "POST" and not (posted_place or posted_widget) and form.is_valid():
        consultant_update_settings(consultant=consultant, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return redirect("consultants:settings")
    if posted_place and place_form.is_valid():
        try:
            consultant_update_meeting_place(consultant=consultant, **place_form.cleaned_data)
        except ValidationError as e:
            for name, errors in e.message_dict.items():
                place_form.add_error(name if name in place_form.fields else None, errors)
        else:
            messages.success(request, _("Your meeting place is saved. New bookings get it; booked sessions keep "
                                        "theirs."))
            return redirect("consultants:settings")
    new_token = request.session.pop(NEW_FEED_TOKEN_KEY, None)
    feed_url = None
    if new_token:
        try:
            feed_url = settings.SITE_URL + reverse("booking:calendar_feed", args=[new_token])
        except NoReverseMatch:
            feed_url = None
    upcoming = next_month(_local_today(consultant))
    # Published by hand on the month review counts too: the page said "will be published automatically on 18
    # December" about a January that was already open for booking.
    start, end = month_bounds_utc(upcoming, zoneinfo.ZoneInfo(consultant.time_zone))
    in_month = Slot.objects.filter(consultant=consultant, starts_at__gte=start, starts_at__lt=end)
    statuses = set(in_month.values_list("status", flat=True).distinct())
    upcoming_open = bool(statuses - {Slot.Status.DRAFT, Slot.Status.BLOCKED}) and Slot.Status.DRAFT not in statuses
    return render(request, "consultants/settings.html", {
        "form": form, "place_form": place_form, "consultant": consultant, "new_token": new_token, "feed_url": feed_url,
        "upcoming": upcoming, "publish_on": upcoming - timedelta(days=consultant.publish_ahead_days),
        "upcoming_done": bool(consultant.last_published_month and consultant.last_published_month >= upcoming),
        "upcoming_open": upcoming_open, "widget_form": widget_form, "widget_snippet": _widget_snippet(consultant),
    }, status=400 if form.errors or place_form.errors or widget_form.errors else 200)


def _widget_snippet(consultant: Consultant) -> str:
    """The code a consultant pastes into their website: the widget's frame and a listener for its messages
    (the booked session; the height it needs). Empty while the widget is not served (integrations/ is off)."""
    try:
        path = reverse("integrations:widget", args=[consultant.slug])
    except NoReverseMatch:
        return ""
    site = urlsplit(settings.SITE_URL)
    return render_to_string("consultants/_widget_snippet.html", {
        "consultant": consultant, "widget_url": settings.SITE_URL + path, "site_origin": f"{site.scheme}://{site.netloc}"})


@login_required
@require_POST
def feed_rotate(request):
    consultant = _get_consultant_for_user(request)
    token = consultant_rotate_feed_token(consultant=consultant)
    # Shown once on the next page view, then forgotten: only the hash is stored.
    request.session[NEW_FEED_TOKEN_KEY] = token
    messages.success(request, _("You have a new calendar feed address. The previous one no longer works."))
    return redirect("consultants:settings")


@login_required
def rules(request):
    consultant = _get_consultant_for_user(request)
    rule_form = RuleForm(request.POST if request.POST.get("form") == "rule" else None, prefix="rule",
                         initial={"start_time": "09:00", "end_time": "15:00"}, today=_local_today(consultant))
    blackout_form = BlackoutForm(request.POST if request.POST.get("form") == "blackout" else None,
                                 prefix="blackout")
    override_form = OverrideForm(request.POST if request.POST.get("form") == "override" else None,
                                 prefix="override")
    limits_form = LimitsForm(request.POST if request.POST.get("form") == "limits" else None, prefix="limits",
                             initial=LimitsForm.initial_for(consultant))
    if request.method == "POST":
        if request.POST.get("form") == "rule" and rule_form.is_valid():
            try:
                rule_save(consultant=consultant, **rule_form.cleaned_data)
            except ValidationError as e:
                rule_form.add_error(None, e)
            else:
                messages.success(request, _("Rule added. Review next month to see the slots it makes."))
                return redirect("consultants:rules")
        elif request.POST.get("form") == "blackout" and blackout_form.is_valid():
            blackout_add(consultant=consultant, **blackout_form.cleaned_data)
            messages.success(request, _("Time off added. Sessions in it are no longer offered."))
            return redirect("consultants:rules")
        elif request.POST.get("form") == "override" and override_form.is_valid():
            override_set(consultant=consultant, day=override_form.cleaned_data["day"],
                         windows=override_form.cleaned_data["windows"])
            messages.success(request, _("Your hours for that date are saved; sessions outside them are no "
                                        "longer offered."))
            return redirect("consultants:rules")
        elif request.POST.get("form") == "limits" and limits_form.is_valid():
            consultant_update_limits(consultant=consultant, **limits_form.limits())
            messages.success(request, _("Limits saved. They apply to your published sessions at once."))
            return redirect("consultants:rules")
    today = _local_today(consultant)
    forms = (rule_form, blackout_form, override_form, limits_form)
    return render(request, "consultants/rules.html", {
        "consultant": consultant, "rule_form": rule_form, "blackout_form": blackout_form,
        "override_form": override_form, "limits_form": limits_form,
        "rules": AvailabilityRule.objects.filter(consultant=consultant).order_by("id"),
        "blackouts": Blackout.objects.filter(consultant=consultant, end_date__gte=today),
        "overrides": _overrides_by_day(consultant, today),
        "this_month": today.replace(day=1), "next_month": next_month(today),
    }, status=400 if any(f.errors for f in forms) else 200)


def _overrides_by_day(consultant: Consultant, first: date, last: date | None = None) -> list[tuple[date, list]]:
    rows = DateOverride.objects.filter(consultant=consultant, date__gte=first)
    if last is not None:
        rows = rows.filter(date__lte=last)
    days = defaultdict(list)
    for o in rows.order_by("date", "start_time"):
        days[o.date].append(o)
    return sorted(days.items())


@login_required
@require_POST
def override_remove(request, year: int, month: int, day: int):
    consultant = _get_consultant_for_user(request)
    when = _date_or_404(year, month, day)
    override_clear(consultant=consultant, day=when)
    messages.success(request, _("Your rules' hours apply again on that date."))
    return redirect(_safe_next(request, reverse("consultants:rules")))


@login_required
@require_POST
def override_add(request):
    consultant = _get_consultant_for_user(request)
    form = OverrideForm(request.POST, prefix="override")
    if form.is_valid():
        override_set(consultant=consultant, day=form.cleaned_data["day"], windows=form.cleaned_data["windows"])
        messages.success(request, _("Your hours for that date are saved; sessions outside them are no longer "
                                    "offered."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_safe_next(request, reverse("consultants:rules")))


@login_required
@require_POST
def holiday_toggle(request, year: int, month: int, day: int):
    consultant = _get_consultant_for_user(request)
    when = _date_or_404(year, month, day)
    is_open = request.POST.get("open") == "1"
    holiday_open(consultant=consultant, day=when, is_open=is_open)
    messages.success(request, _("The holiday is open for sessions.") if is_open
                     else _("No sessions on that holiday."))
    return redirect(_safe_next(request, _month_url(when.replace(day=1))))


@login_required
def rule_edit(request, pk: int):
    consultant = _get_consultant_for_user(request)
    rule = get_object_or_404(AvailabilityRule, pk=pk, consultant=consultant)
    form = RuleForm(request.POST or None, instance=rule, today=_local_today(consultant))
    if request.method == "POST" and form.is_valid():
        try:
            rule_save(consultant=consultant, rule=rule, **form.cleaned_data)
        except (ValidationError, ConsultantError) as e:
            form.add_error(None, getattr(e, "messages", [str(e)]))
        else:
            messages.success(request, _("Rule saved. Regenerate a month to apply it to its drafts."))
            return redirect("consultants:rules")
    return render(request, "consultants/rule_edit.html", {"form": form, "rule": rule},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def rule_remove(request, pk: int):
    consultant = _get_consultant_for_user(request)
    rule_delete(rule=get_object_or_404(AvailabilityRule, pk=pk, consultant=consultant))
    messages.success(request, _("Rule deleted, with its unpublished drafts."))
    return redirect("consultants:rules")


@login_required
@require_POST
def blackout_remove(request, pk: int):
    consultant = _get_consultant_for_user(request)
    blackout_delete(blackout=get_object_or_404(Blackout, pk=pk, consultant=consultant))
    messages.success(request, _("Time off removed. Its sessions are offered again."))
    return redirect("consultants:rules")


def _status_counts(slots) -> list[tuple[str, str, int]]:
    counts = Counter(s.status for s in slots)
    return [(value, label, counts.get(value, 0)) for value, label in S.choices]


@login_required
def month(request, year: int, month: int):
    consultant = _get_consultant_for_user(request)
    first = _month_or_404(year, month)
    zone = _zone(consultant)
    slots = list(slot_list_month(consultant=consultant, month=first))
    last = next_month(first) - timedelta(days=1)
    avail = availability_load(consultant, first, last)
    now = timezone.now()
    notes = reasons_by_day(avail)
    days = defaultdict(list)
    for s in slots:
        s.consultant = consultant  # read by the note; not one query per slot
        s.offered, s.offer_note = slot_offer_note(s, now=now, avail=avail)
        days[s.starts_at.astimezone(zone).date()].append(s)
    for d in notes:  # a holiday, time off or override is named even on a day without sessions
        days.setdefault(d, [])
    add_form = SlotAddForm(initial={"day": max(first, _local_today(consultant)), "minutes": 60})
    override_form = OverrideForm(prefix="override", initial={"day": max(first, _local_today(consultant))})
    start, end = month_bounds_utc(first, zone)
    return render(request, "consultants/month.html", {
        **month_review_context(consultant=consultant, start=start, end=end),
        "consultant": consultant, "month": first, "slots": slots,
        "days": [(d, day_slots, notes.get(d, []), avail.holidays.get(d), d in avail.opened,
                  d in avail.overrides) for d, day_slots in sorted(days.items())],
        "counts": _status_counts(slots), "drafts": sum(1 for s in slots if s.status == S.DRAFT),
        "offered": sum(1 for s in slots if s.offered),
        "add_form": add_form, "override_form": override_form, "prev": previous_month(first),
        "next": next_month(first), "has_rules": consultant.rules.filter(is_active=True).exists(),
    })


@login_required
@require_POST
def month_generate(request, year: int, month: int):
    consultant = _get_consultant_for_user(request)
    result = slot_generate_month(consultant=consultant, month=_month_or_404(year, month))
    messages.success(request, _("Drafts updated from your rules: %(created)d added, %(removed)d removed.")
                     % {"created": result.created, "removed": result.removed})
    return redirect(_month_url(date(year, month, 1)))


@login_required
@require_POST
def month_publish(request, year: int, month: int):
    consultant = _get_consultant_for_user(request)
    count = slot_publish_month(consultant=consultant, month=_month_or_404(year, month))
    messages.success(request, ngettext("%(count)d slot published. Companies can book it now.",
                                       "%(count)d slots published. Companies can book them now.", count)
                     % {"count": count})
    return redirect(_month_url(date(year, month, 1)))


@login_required
@require_POST
def month_add_slot(request, year: int, month: int):
    consultant = _get_consultant_for_user(request)
    first = _month_or_404(year, month)
    form = SlotAddForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        starts_at = local_to_utc(d["day"], d["start"], _zone(consultant))
        if starts_at is None:
            messages.error(request, _("That time does not exist on that day (the clocks move forward)."))
        else:
            try:
                slot_add(consultant=consultant, starts_at=starts_at, minutes=d["minutes"])
            except SlotError as e:
                _slot_error(request, e)
            else:
                messages.success(request, _("Slot added as a draft. Publish the month to offer it."))
                first = d["day"].replace(day=1)  # show the month the slot landed in
    else:
        messages.error(request, _("Give a date, a start time and a length between 15 and 480 minutes."))
    return redirect(_month_url(first))


def _slot_action(request, pk: int, action, success: str):
    consultant, slot = _get_slot_for_user(request, pk)
    local = slot.starts_at.astimezone(_zone(consultant)).date()
    try:
        action(slot=slot)
    except SlotError as e:
        _slot_error(request, e)
    else:
        messages.success(request, success)
    return redirect(_safe_next(request, _month_url(local.replace(day=1))))


@login_required
@require_POST
def slot_remove_view(request, pk: int):
    return _slot_action(request, pk, slot_remove, _("Slot removed."))


@login_required
@require_POST
def slot_block_view(request, pk: int):
    return _slot_action(request, pk, slot_block, _("Slot blocked. Companies can no longer book it."))


@login_required
@require_POST
def slot_unblock_view(request, pk: int):
    return _slot_action(request, pk, slot_unblock, _("Slot offered again."))


@login_required
def calendar(request):
    # Through the user's one-to-one (cached on request.user), so base.html's "is a consultant" check asks the
    # database nothing more; 404 for everyone else, as _get_consultant_for_user does.
    consultant = getattr(request.user, "consultant", None)
    if consultant is None:
        raise Http404
    zone = _zone(consultant)
    today = _local_today(consultant)
    first = today.replace(day=1)
    raw = request.GET.get("month", "")
    if raw:
        try:
            y, m = (int(x) for x in raw.split("-"))
            first = _month_or_404(y, m)
        except ValueError:
            raise Http404
    weeks_dates = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start = weeks_dates[0][0]
    grid_end = weeks_dates[-1][-1] + timedelta(days=1)
    slots = list(Slot.objects.filter(
        consultant=consultant,
        starts_at__gte=datetime.combine(grid_start, time(0), tzinfo=zone),
        starts_at__lt=datetime.combine(grid_end, time(0), tzinfo=zone),
    ).order_by("starts_at"))
    by_day = defaultdict(list)
    status_labels = {value: str(label) for value, label in Slot.Status.choices}  # not get_status_display() per slot
    avail = availability_load(consultant, grid_start, grid_end)
    now = timezone.now()
    for s in slots:
        s.consultant = consultant
        s.status_label = status_labels.get(s.status, s.status)
        s.offered, s.offer_note = slot_offer_note(s, now=now, avail=avail)
        by_day[s.starts_at.astimezone(zone).date()].append(s)
    in_month = [s for d, day_slots in by_day.items() if (d.year, d.month) == (first.year, first.month)
                for s in day_slots]
    notes = reasons_by_day(avail)
    weeks = [[{"date": d, "slots": by_day.get(d, []), "in_month": d.month == first.month, "today": d == today,
               "notes": notes.get(d, [])}
              for d in week] for week in weeks_dates]
    ctx = {
        "consultant": consultant, "month": first, "weeks": weeks, "counts": _status_counts(in_month),
        "prev": previous_month(first), "next": next_month(first), "today": today,
        "weekdays": [date(2024, 1, i) for i in range(1, 8)],  # 1 Jan 2024 was a Monday
        "now": timezone.now(),
    }
    template = "consultants/_calendar.html" if request.htmx else "consultants/calendar.html"
    return render(request, template, ctx)
