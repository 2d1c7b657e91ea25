"""State changes for consultants, their rules and their slots. Each function is one transaction.

Slots with status BOOKED belong to booking's services; nothing here changes or deletes them.
"""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.mail import Recipient, email_queue
from accounts.models import User
from accounts.services import invitation_url, user_invite
from accounts.tokens import token_new
from consultants.availability import (
    month_bounds_utc,
    month_start,
    next_month,
    rule_candidates,
    rule_dates,
    window_candidates,
)
from consultants.meeting import place_clean
from consultants.models import (
    AvailabilityRule,
    Blackout,
    Consultant,
    ConsultantExpertise,
    ConsultantLanguage,
    DateOverride,
    HolidayOpening,
    Slot,
)
from consultants.offer import availability_load, count_booked, slot_offer_refresh
from consultants.origins import origins_clean
from consultants.public_cache import public_pages_changed
from consultants.signals import slots_created

log = logging.getLogger(__name__)
S = Slot.Status


class ConsultantError(Exception):
    """A refused change; `code` says which rule was broken (views turn it into a friendly message)."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


class SlotError(ConsultantError):
    pass


# --- Profile and settings -------------------------------------------------------------------
def consultant_update_profile(*, consultant: Consultant, display_name: str, headline: str, bio: str, city: str,
                              time_zone: str, is_public: bool, expertise: list[str], languages: list[str],
                              photo: File | None = None, remove_photo: bool = False,
                              show_nps: bool | None = None) -> Consultant:
    """Save the public profile. `photo` must already be validated and re-encoded (consultants.photos).
    `show_nps` (None: unchanged) is the consent to show companies' NPS once enough have answered."""
    with transaction.atomic():
        old_photo = consultant.photo.name if consultant.photo else ""
        old_zone = Consultant.objects.filter(pk=consultant.pk).values_list("time_zone", flat=True).first()
        consultant.display_name, consultant.headline, consultant.bio = display_name, headline, bio
        consultant.city, consultant.time_zone, consultant.is_public = city, time_zone, is_public
        if show_nps is not None:
            consultant.show_nps = show_nps
        consultant.full_clean(exclude=["user", "slug", "photo"])  # before a file is written
        if photo is not None:
            consultant.photo.save("photo.jpg", photo, save=False)
        elif remove_photo:
            consultant.photo = ""
        # Only the profile's own columns: a stale instance must not undo the publisher's claim or a new token.
        consultant.save(update_fields=["display_name", "headline", "bio", "city", "time_zone", "is_public", "photo",
                                       "show_nps"])
        ConsultantExpertise.objects.filter(consultant=consultant).exclude(area__in=expertise).delete()
        ConsultantExpertise.objects.bulk_create(
            [ConsultantExpertise(consultant=consultant, area=a) for a in expertise], ignore_conflicts=True)
        ConsultantLanguage.objects.filter(consultant=consultant).exclude(language__in=languages).delete()
        ConsultantLanguage.objects.bulk_create(
            [ConsultantLanguage(consultant=consultant, language=code) for code in languages], ignore_conflicts=True)
        if old_zone != consultant.time_zone:  # local dates moved: time off, holidays and caps with them
            slot_offer_refresh(consultant=consultant)
        if old_photo and old_photo != (consultant.photo.name or ""):
            storage = consultant.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    return consultant


def consultant_set_nps(*, consultant_id: int, score: int | None, answers: int) -> bool:
    """Store the NPS companies gave this consultant (the feedback app computes it with feedback.nps). Returns
    whether it changed; a change bumps the visitors' cached pages, which show it when the consultant consents."""
    with transaction.atomic():
        changed = Consultant.objects.filter(pk=consultant_id).exclude(nps_score=score, nps_answers=answers).update(
            nps_score=score, nps_answers=answers)
        if changed:
            public_pages_changed()  # .update() sends no post_save: bump here
    return bool(changed)


def consultant_update_settings(*, consultant: Consultant, requires_approval: bool,
                               publish_ahead_days: int) -> Consultant:
    with transaction.atomic():
        consultant.requires_approval = requires_approval
        consultant.publish_ahead_days = publish_ahead_days
        consultant.full_clean(exclude=["user", "photo"])
        consultant.save(update_fields=["requires_approval", "publish_ahead_days"])
    return consultant


def consultant_update_widget_origins(*, consultant: Consultant, origins: list[str]) -> Consultant:
    """Save the websites that may frame the consultant's booking widget. Raises ValidationError({"widget_origins":
    [...]}) for an entry that is not an origin (consultants/origins.py) or more than MAX_WIDGET_ORIGINS."""
    try:
        cleaned = origins_clean(origins)
    except ValidationError as e:
        raise ValidationError({"widget_origins": e.messages}) from None
    with transaction.atomic():
        consultant.widget_origins = cleaned
        consultant.save(update_fields=["widget_origins"])
    return consultant


def consultant_phone_region(consultant: Consultant) -> str:
    """Where a consultant's number is read as national: the place's country, else the zone's."""
    if consultant.place_country:
        return consultant.place_country
    return "DK" if consultant.time_zone == "Europe/Copenhagen" else "SE"


def consultant_update_meeting_place(*, consultant: Consultant, **values) -> Consultant:
    """Save the consultant's default meeting place (new bookings copy it; booked ones keep theirs).

    Raises ValidationError({field: message}) when the kind lacks what it needs (consultants.meeting.place_clean).
    """
    values = place_clean(values, phone_region=consultant_phone_region(consultant))
    with transaction.atomic():
        for name, value in values.items():
            setattr(consultant, name, value)
        consultant.save(update_fields=list(values))
    return consultant


def consultant_rotate_feed_token(*, consultant: Consultant) -> str:
    """Make a new private calendar-feed token and return it; only its SHA-256 is stored.

    The previous token stops working at once (its feed URL then gives 404). The plain token is shown once.
    """
    token, digest = token_new()
    with transaction.atomic():
        consultant.feed_token_hash = digest
        consultant.save(update_fields=["feed_token_hash"])
    return token


NORDIC = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d", "ł": "l"})


def _unique_slug(name: str) -> str:
    # slugify drops letters without an ASCII decomposition (ø, æ); spell them out first.
    base = slugify(name.translate(NORDIC))[:70] or "consultant"
    slug, n = base, 2
    while Consultant.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def consultant_invite(*, email: str, name: str = "", time_zone: str = "", language: str = "") -> Consultant:
    """Create (or find) the person and their consultant profile, and e-mail them a link to set a password.

    Raises ConsultantError("already_consultant") when the address already has a consultant profile that has
    been activated (a password set); an invited but never activated consultant simply gets a new link.
    """
    with transaction.atomic():
        user, _created = user_invite(email=email, name=name, time_zone=time_zone, language=language)
        consultant = Consultant.objects.filter(user=user).first()
        if consultant and user.has_usable_password():
            raise ConsultantError("already_consultant")
        if consultant is None:
            display = name or user.name or user.email.split("@")[0]
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        consultant = Consultant.objects.create(
                            user=user, display_name=display, slug=_unique_slug(display),
                            time_zone=user.time_zone)
                    break
                except IntegrityError:  # a concurrent invite took the slug: try the next one
                    continue
            else:
                raise ConsultantError("slug_taken")
        _queue_invitation(consultant)
    return consultant


def consultant_send_invitation(*, consultant: Consultant) -> bool:
    """E-mail a fresh invitation link; False (nothing sent) when the consultant has already set a password."""
    if consultant.user.has_usable_password():
        return False
    with transaction.atomic():
        _queue_invitation(consultant)
    return True


def _queue_invitation(consultant: Consultant) -> None:
    email_queue(template="consultants_invitation",
                context={"consultant": consultant, "link": invitation_url(consultant.user)},
                recipient=Recipient.for_user(consultant.user))


LIMIT_FIELDS = ["min_notice", "booking_window", "monthly_cap", "weekly_cap", "daily_cap", "holiday_country",
                "skip_holidays"]


def consultant_update_limits(*, consultant: Consultant, **fields) -> Consultant:
    """Save the booking limits (notice, booking window, caps) and the holiday settings, and apply them to the
    published slots at once (consultants.offer). Unknown names are ignored."""
    with transaction.atomic():
        for name in LIMIT_FIELDS:
            if name in fields:
                setattr(consultant, name, fields[name])
        consultant.full_clean(exclude=["user", "photo", "slug"])
        consultant.save(update_fields=LIMIT_FIELDS)
        slot_offer_refresh(consultant=consultant)
    return consultant


# --- Rules, time off, date overrides and holidays -------------------------------------------------------
RULE_FIELDS = ["kind", "ordinal", "weekday", "on_date", "start_time", "end_time", "session_minutes",
               "buffer_minutes", "is_active"]


def rule_save(*, consultant: Consultant, rule: AvailabilityRule | None = None, **fields) -> AvailabilityRule:
    """Create or change a rule. Fields that do not apply to the kind are cleared.

    Raises ConsultantError("not_yours") when `rule` belongs to someone else.
    """
    if rule is not None and rule.consultant_id != consultant.pk:
        raise ConsultantError("not_yours")
    rule = rule or AvailabilityRule(consultant=consultant)
    for name in RULE_FIELDS:
        if name in fields:
            setattr(rule, name, fields[name])
    if rule.kind != AvailabilityRule.Kind.MONTHLY:
        rule.ordinal = None
    if rule.kind == AvailabilityRule.Kind.DATE:
        rule.weekday = None
    else:
        rule.on_date = None
    rule.full_clean(exclude=["consultant"])
    with transaction.atomic():
        rule.save()
    return rule


def rule_delete(*, rule: AvailabilityRule) -> None:
    """Delete a rule and its future drafts; published, booked and blocked slots it made stay."""
    with transaction.atomic():
        Slot.objects.filter(rule=rule, status=S.DRAFT, added_by_hand=False).delete()
        rule.delete()


def blackout_add(*, consultant: Consultant, start_date: date, end_date: date, note: str = "",
                 start_time: time | None = None, end_time: time | None = None) -> Blackout:
    """Add time off: whole days, or from–until on each date of the range (both times or neither).

    Published free sessions that overlap it stop being offered at once; booked ones are flagged as conflicts
    and the consultant is e-mailed once (never cancelled). Raises ConsultantError("blackout_order") or
    ("blackout_times").
    """
    if end_date < start_date:
        raise ConsultantError("blackout_order")
    if (start_time is None) != (end_time is None) or (start_time is not None and start_time >= end_time):
        raise ConsultantError("blackout_times")
    with transaction.atomic():
        blackout = Blackout.objects.create(consultant=consultant, start_date=start_date, end_date=end_date,
                                           start_time=start_time, end_time=end_time, note=note)
        slot_offer_refresh(consultant=consultant, first=start_date, last=end_date)
    return blackout


def blackout_delete(*, blackout: Blackout) -> None:
    """Remove time off; its sessions are offered again at once (and their conflicts cleared)."""
    with transaction.atomic():
        blackout.delete()
        slot_offer_refresh(consultant=blackout.consultant, first=blackout.start_date, last=blackout.end_date)


def override_set(*, consultant: Consultant, day: date, windows: list[tuple[time, time]]) -> list[DateOverride]:
    """Replace the hours of local date `day` with `windows` (an empty list: not available that day).

    Several windows may be given; they must not overlap. Drafts made afterwards follow them, and published
    sessions outside them stop being offered at once. Raises ConsultantError("override_times") for a window
    that ends before it starts or overlaps another.
    """
    ordered = sorted(windows)
    if any(a >= b for a, b in ordered) or any(ordered[i][1] > ordered[i + 1][0] for i in range(len(ordered) - 1)):
        raise ConsultantError("override_times")
    with transaction.atomic():
        DateOverride.objects.filter(consultant=consultant, date=day).delete()
        rows = DateOverride.objects.bulk_create(
            [DateOverride(consultant=consultant, date=day, start_time=a, end_time=b) for a, b in ordered]
            or [DateOverride(consultant=consultant, date=day)])
        slot_offer_refresh(consultant=consultant, first=day, last=day)
    return rows


def override_clear(*, consultant: Consultant, day: date) -> None:
    """Back to the rules' hours on `day`."""
    with transaction.atomic():
        DateOverride.objects.filter(consultant=consultant, date=day).delete()
        slot_offer_refresh(consultant=consultant, first=day, last=day)


def holiday_open(*, consultant: Consultant, day: date, is_open: bool = True) -> None:
    """Open one public holiday for sessions (or close it again) while "no sessions on public holidays" is on."""
    with transaction.atomic():
        if is_open:
            HolidayOpening.objects.get_or_create(consultant=consultant, date=day)
        else:
            HolidayOpening.objects.filter(consultant=consultant, date=day).delete()
        slot_offer_refresh(consultant=consultant, first=day, last=day)


# --- Slots ------------------------------------------------------------------------------------
@dataclass
class GenerateResult:
    created: int
    removed: int
    kept: int


def _lock(consultant: Consultant) -> None:
    # Serialises generation per consultant on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers anyway.
    Consultant.objects.select_for_update().filter(pk=consultant.pk).first()


def _break_minutes(consultant: Consultant, rules) -> int:
    """The break kept around a session added by hand: the longest break of the consultant's active rules."""
    return max((r.buffer_minutes for r in rules), default=0)


def _too_close(a_start: datetime, a_end: datetime, a_break: int, b_start: datetime, b_end: datetime,
               b_break: int) -> bool:
    """True when two sessions overlap or one starts inside the other's break (the longer break counts)."""
    gap = timedelta(minutes=max(a_break, b_break))
    return a_start < b_end + gap and b_start < a_end + gap


def slot_generate_month(*, consultant: Consultant, month: date, now: datetime | None = None) -> GenerateResult:
    """Materialise draft slots for `month` (in the consultant's zone) from the consultant's active rules.

    Deterministic and idempotent: running it again adds nothing. It never touches published, booked or
    blocked slots, nor drafts the consultant added by hand; a rule's candidate that overlaps one of those or
    starts inside its break is left out. Generated drafts that no rule produces any more (rule changed or
    deleted, new time off, an override) are removed. When two rules offer overlapping times, the older rule
    wins. A date override replaces every rule's hours on its date (with the first rule of that day's length
    and break, or the consultant's first rule when none falls on it). Nothing is made inside time off, on a
    closed public holiday, sooner than the minimum notice, or in a month whose bookings already reach the
    monthly cap. See consultants/availability.py for DST and consultants/offer.py for the rest.
    """
    now = now or timezone.now()
    month = month_start(month)
    zone = zoneinfo.ZoneInfo(consultant.time_zone)
    start, end = month_bounds_utc(month, zone)
    with transaction.atomic():
        _lock(consultant)
        consultant.refresh_from_db(fields=["min_notice", "monthly_cap", "skip_holidays", "holiday_country"])
        last_day = next_month(month) - timedelta(days=1)
        avail = availability_load(consultant, month, last_day)
        existing = list(Slot.objects.filter(consultant=consultant, starts_at__gte=start, starts_at__lt=end)
                        .select_related("rule"))
        fixed = [s for s in existing if s.status != S.DRAFT or s.added_by_hand]
        generated = {s.starts_at: s for s in existing if s.status == S.DRAFT and not s.added_by_hand}
        rules = list(AvailabilityRule.objects.filter(consultant=consultant, is_active=True).order_by("id"))
        hand_break = _break_minutes(consultant, rules)
        booked = count_booked(s.starts_at.astimezone(zone).date() for s in existing if s.status == S.BOOKED)
        full = bool(consultant.monthly_cap and booked[("m", month)] >= consultant.monthly_cap)

        earliest = now + consultant.min_notice
        candidates = []  # (candidate, break minutes)
        for rule in rules:
            candidates += [(c, rule.buffer_minutes) for c in rule_candidates(
                rule, month, zone=zone, now=earliest, availability=avail)]
        ruled_days = {d for r in rules for d in rule_dates(r, month)}
        for day in sorted(avail.overrides):
            if day in ruled_days or not rules or not (month <= day <= last_day):
                continue
            model = rules[0]
            windows = avail.override_windows(day)
            candidates += [(c, model.buffer_minutes) for c in window_candidates(
                day, windows, session_minutes=model.session_minutes, buffer_minutes=model.buffer_minutes,
                zone=zone, rule_id=model.pk) if c.starts_at >= earliest and not avail.reason(c.starts_at, c.ends_at)]

        taken = [(s.starts_at, s.ends_at, s.rule.buffer_minutes if s.rule else hand_break) for s in fixed
                 if s.status != S.BLOCKED]
        taken += [(s.starts_at, s.ends_at, 0) for s in fixed if s.status == S.BLOCKED]
        wanted = []
        for c, brk in candidates:
            if not (start <= c.starts_at < end) or full:
                continue
            if any(_too_close(c.starts_at, c.ends_at, brk, a, b, other) for a, b, other in taken):
                continue
            wanted.append(c)
            taken.append((c.starts_at, c.ends_at, brk))
        if full:  # keep the drafts already there, make no new ones
            wanted = [c for c, _brk in candidates if c.starts_at in generated]

        wanted_starts = {c.starts_at for c in wanted}
        stale = [s.pk for at, s in generated.items() if at not in wanted_starts]
        if stale:
            Slot.objects.filter(pk__in=stale, status=S.DRAFT).delete()
        to_create, kept = [], 0
        for c in wanted:
            old = generated.get(c.starts_at)
            if old is None:
                to_create.append(Slot(consultant=consultant, starts_at=c.starts_at, ends_at=c.ends_at,
                                      rule_id=c.rule_id, status=S.DRAFT))
            else:
                kept += 1
                if old.ends_at != c.ends_at or old.rule_id != c.rule_id:
                    Slot.objects.filter(pk=old.pk, status=S.DRAFT).update(ends_at=c.ends_at, rule_id=c.rule_id)
        Slot.objects.bulk_create(to_create)
        if to_create:
            slots_created.send(sender=Slot, consultant=consultant)  # calendars marks busy ones at once
        slot_offer_refresh(consultant=consultant, first=month, last=last_day, now=now)
    return GenerateResult(created=len(to_create), removed=len(stale), kept=kept)


def slot_publish_month(*, consultant: Consultant, month: date, now: datetime | None = None) -> int:
    """Publish every future draft of `month`; returns how many. Only published slots can be booked."""
    now = now or timezone.now()
    start, end = month_bounds_utc(month_start(month), zoneinfo.ZoneInfo(consultant.time_zone))
    with transaction.atomic():
        count = Slot.objects.filter(
            consultant=consultant, status=S.DRAFT, starts_at__gte=max(start, now), starts_at__lt=end,
        ).update(status=S.PUBLISHED)
        if count:
            public_pages_changed()
        slot_offer_refresh(consultant=consultant, first=month_start(month),
                           last=next_month(month_start(month)) - timedelta(days=1), now=now)
    return count


def slot_add(*, consultant: Consultant, starts_at: datetime, minutes: int = 60, publish: bool = False) -> Slot:
    """Add one slot by hand (a draft unless `publish`). Regeneration never removes it.

    Raises SlotError("past") for a time that has passed, SlotError("overlap") when it overlaps another slot and
    SlotError("break") when it starts or ends inside the break before or after another active session (the
    longer of the two breaks counts: the other session's rule's, or the longest break of the active rules).
    """
    if timezone.is_naive(starts_at):
        raise SlotError("naive")
    if starts_at <= timezone.now():
        raise SlotError("past")
    ends_at = starts_at + timedelta(minutes=minutes)
    with transaction.atomic():
        _lock(consultant)
        if Slot.objects.filter(consultant=consultant, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise SlotError("overlap")
        rules = list(AvailabilityRule.objects.filter(consultant=consultant, is_active=True))
        own_break = _break_minutes(consultant, rules)
        reach = timedelta(minutes=max([own_break] + [r.buffer_minutes for r in rules] + [240]))
        near = (Slot.objects.filter(consultant=consultant, starts_at__lt=ends_at + reach, ends_at__gt=starts_at - reach)
                .exclude(status=S.BLOCKED).select_related("rule"))
        for other in near:
            other_break = other.rule.buffer_minutes if other.rule else own_break
            if _too_close(starts_at, ends_at, own_break, other.starts_at, other.ends_at, other_break):
                raise SlotError("break", str(max(own_break, other_break)))
        try:
            with transaction.atomic():
                slot = Slot.objects.create(consultant=consultant, starts_at=starts_at, ends_at=ends_at,
                                           status=S.PUBLISHED if publish else S.DRAFT, added_by_hand=True)
        except IntegrityError:
            raise SlotError("overlap")
        slots_created.send(sender=Slot, consultant=consultant)  # calendars marks it busy at once if it is
        day = starts_at.astimezone(zoneinfo.ZoneInfo(consultant.time_zone)).date()
        slot_offer_refresh(consultant=consultant, first=day, last=day)
        slot.refresh_from_db(fields=["off_reason", "busy"])
    return slot


def slot_remove(*, slot: Slot) -> None:
    """Take a draft or published slot away.

    A slot added by hand is deleted. A slot a rule made becomes BLOCKED instead, so that regenerating the
    month does not bring it back. Raises SlotError("booked") for a booked slot (booking owns those) — the
    conditional update/delete makes this safe against a booking arriving at the same moment.
    """
    with transaction.atomic():
        free = Slot.objects.filter(pk=slot.pk, status__in=[S.DRAFT, S.PUBLISHED])
        done = free.filter(added_by_hand=True).delete()[0] or free.update(status=S.BLOCKED)
        if done:
            public_pages_changed()
        else:
            current = Slot.objects.filter(pk=slot.pk).values_list("status", flat=True).first()
            if current == S.BOOKED:
                raise SlotError("booked")
            if current is None:
                return
            # already blocked: nothing to do


def slot_block(*, slot: Slot) -> Slot:
    """Make a draft or published slot unavailable (it stays visible to the consultant as blocked).

    Raises SlotError("booked") for a booked slot: cancelling the booking first is booking's job.
    """
    with transaction.atomic():
        updated = Slot.objects.filter(pk=slot.pk, status__in=[S.DRAFT, S.PUBLISHED]).update(status=S.BLOCKED)
        if updated:
            public_pages_changed()
        slot.refresh_from_db(fields=["status"])
        if not updated and slot.status == S.BOOKED:
            raise SlotError("booked")
    return slot


def slot_unblock(*, slot: Slot, now: datetime | None = None) -> Slot:
    """Offer a blocked future slot again (published). Raises SlotError("past") for a slot that has started."""
    now = now or timezone.now()
    with transaction.atomic():
        if slot.starts_at <= now:
            raise SlotError("past")
        if Slot.objects.filter(pk=slot.pk, status=S.BLOCKED).update(status=S.PUBLISHED):
            public_pages_changed()
        day = slot.starts_at.astimezone(zoneinfo.ZoneInfo(slot.consultant.time_zone)).date()
        slot_offer_refresh(consultant=slot.consultant, first=day, last=day, now=now)
        slot.refresh_from_db(fields=["status", "off_reason"])
    return slot


# --- Automatic publishing -----------------------------------------------------------------------
def month_due(consultant: Consultant, now: datetime) -> date:
    """The month the automatic publisher should prepare for `consultant`: the next one in their zone."""
    return next_month(now.astimezone(zoneinfo.ZoneInfo(consultant.time_zone)).date())


def slot_publish_due_for(*, consultant: Consultant, now: datetime | None = None) -> int | None:
    """Generate and publish the consultant's next month if it is due and nobody did it yet.

    Every future draft of that month is published, including drafts the consultant generated earlier and left
    unpublished (a slot they do not want should be removed, which blocks it). Returns the number of slots
    published, or None when it was not due or already claimed. The claim is a
    conditional UPDATE of `last_published_month` in the same transaction as the work, so two workers (or
    the task running twice) publish and e-mail once; a failure rolls the claim back for the next run.
    """
    now = now or timezone.now()
    month = month_due(consultant, now)
    local_today = now.astimezone(zoneinfo.ZoneInfo(consultant.time_zone)).date()
    if (month - local_today).days > consultant.publish_ahead_days:
        return None
    from django.db.models import Q

    with transaction.atomic():
        claimed = Consultant.objects.filter(pk=consultant.pk).filter(
            Q(last_published_month__isnull=True) | Q(last_published_month__lt=month)
        ).update(last_published_month=month)
        if not claimed:
            return None
        generated = slot_generate_month(consultant=consultant, month=month, now=now)
        published = slot_publish_month(consultant=consultant, month=month, now=now)
        start, end = month_bounds_utc(month, zoneinfo.ZoneInfo(consultant.time_zone))
        slots = list(Slot.objects.filter(consultant=consultant, status=S.PUBLISHED, starts_at__gte=start,
                                         starts_at__lt=end).order_by("starts_at"))
        user: User = consultant.user
        email_queue(template="consultants_month_published",
                    context={"consultant": consultant, "month": month, "published": published, "slots": slots,
                             "total": len(slots),
                             "created": generated.created, "site_url": settings.SITE_URL},
                    recipient=Recipient(email=user.email, language=user.language,
                                        time_zone=consultant.time_zone, name=user.name))
    return published
