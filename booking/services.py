"""Every change to a booking: one function per use case, one transaction each.

Concurrency: a slot is claimed by `select_for_update()` on its row (PostgreSQL; a no-op on SQLite, where
BEGIN IMMEDIATE serialises writers) plus a conditional UPDATE … WHERE status='published', and finally the
partial unique constraint "one active booking per slot", which holds whatever the database. A lost race
always ends as BookingError("slot_taken"), never as a 500 or a second booking.

Side effects (mail, invites, waitlist offers) go through booking.notifications hooks, called inside the
transaction; they defer their work with transaction.on_commit.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.services import company_update_details
from booking import notifications
from booking.errors import BookingError
from booking.fair_use import FairUseRefusal, fair_use_check
from booking.models import Booking, FairUsePolicy, IntakeAnswer, PipelineEvent, Question, Questionnaire
from booking.questionnaires import answers_missing, questionnaire_get_current
from consultants.meeting import MeetingKind, phone_normalize, place_clean, video_room_new, video_rooms_enabled
from consultants.models import Slot
from consultants.offer import consultant_lock_for_booking, slot_caps_refresh
from consultants.public_cache import public_pages_changed
from consultants.selectors import slot_bookable_check, slot_booked_conflict
from consultants.services import consultant_phone_region

S = Booking.Status
E = PipelineEvent.Kind


def _actor_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or user.email


def pipeline_event_record(*, booking: Booking, kind: str, actor: User | None = None,
                          data: dict | None = None, actor_name: str = "") -> PipelineEvent:
    """Add a step to the booking's timeline (used by every service here and by later apps)."""
    return PipelineEvent.objects.create(booking=booking, kind=kind, actor=actor,
                                        actor_name=actor_name or _actor_name(actor), data=data or {})


SLOT_CODES = {"taken": "slot_taken", "past": "slot_past"}  # any other reason is "slot_unavailable"


def _lock_slot(slot_pk: int, now: datetime) -> Slot:
    """Lock the slot's row, then re-check (after locking) that it is bookable now (consultants' one rule)."""
    slot = Slot.objects.select_for_update().select_related("consultant__user").get(pk=slot_pk)
    refusal = slot_bookable_check(slot, now=now, recount=True)
    if refusal is not None:
        raise BookingError(SLOT_CODES.get(refusal.code, "slot_unavailable"), refusal.message, refusal.lifts_at)
    return slot


def _claim_slot(slot: Slot) -> Slot:
    """Mark a locked, re-checked slot booked; the conditional update also guards against slot_block & co."""
    claimed = Slot.objects.filter(pk=slot.pk, status=Slot.Status.PUBLISHED).update(status=Slot.Status.BOOKED)
    if claimed != 1:
        raise BookingError("slot_taken", _("This time was just taken by another company."))
    slot.status = Slot.Status.BOOKED
    slot_caps_refresh(consultant=slot.consultant, at=slot.starts_at)  # no query without caps
    public_pages_changed()
    return slot


def _free_slot(slot: Slot, *, now: datetime, block: bool = False) -> bool:
    """Give the slot back (published) or take it out of the offer (blocked). True when it is bookable again."""
    if block:
        Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BLOCKED)
        slot.status = Slot.Status.BLOCKED
        slot_caps_refresh(consultant=slot.consultant, at=slot.starts_at)
        public_pages_changed()
        return False
    if slot.starts_at <= now:
        return False  # a past time is offered to nobody; it stays as it was
    Slot.objects.filter(pk=slot.pk, status=Slot.Status.BOOKED).update(status=Slot.Status.PUBLISHED)
    slot.status = Slot.Status.PUBLISHED
    slot_caps_refresh(consultant=slot.consultant, at=slot.starts_at)  # a full period may open again
    public_pages_changed()
    return True


def _lock_company_for_member(*, company: Company, user: User) -> bool:
    """Lock the company's row (PostgreSQL) when `user` is one of its members; False (nothing locked) when not."""
    return (Company.objects.select_for_update(of=("self",))
            .filter(pk=company.pk, memberships__user=user).values_list("pk", flat=True).first()) is not None


def _lock_booking(booking: Booking) -> Booking:
    return (Booking.objects.select_for_update()
            .select_related("slot__consultant", "consultant__user", "company", "booked_by").get(pk=booking.pk))


def _phone_region(company: Company) -> str:
    return company.country if company.country in ("SE", "DK") else "SE"


def _company_phone(raw: str, company: Company) -> str:
    if not raw:
        return ""
    try:
        return phone_normalize(raw, region=_phone_region(company))
    except ValidationError:
        raise BookingError("phone_invalid", _("Enter a valid phone number, e.g. 070-123 45 67 or "
                                              "+45 32 12 34 56.")) from None


def _place_snapshot(booking: Booking, consultant) -> None:
    """Copy the consultant's default meeting place onto the booking; a room per session gets its own room."""
    for name, value in consultant.place_values().items():
        setattr(booking, name, value)
    if booking.place_kind == MeetingKind.VIDEO_ROOM and not booking.video_room and video_rooms_enabled():
        booking.video_room = video_room_new()


def booking_create(*, slot: Slot, company: Company, user: User, answers: dict[int, Any],
                   questionnaire: Questionnaire | None = None, company_phone: str = "",
                   now: datetime | None = None) -> Booking:
    """Book `slot` for `company`; confirmed at once, or requested when the consultant approves each request.

    `answers` maps question pk → value for `questionnaire` (the version the company answered; default: the
    consultant's current one). Returns the booking with the plain manage token on `booking.manage_token`
    (only its hash is stored, so this is the one chance to show or mail it).

    Raises BookingError: "slot_taken" (someone else was faster), "slot_past", "slot_unavailable",
    "not_member", "answers_missing", "wrong_questionnaire", "phone_invalid", "phone_missing" (the consultant
    calls and no number was given), or a fair-use code ("no_shows", "max_upcoming", "max_per_12_months",
    "max_same_consultant") whose message says when the rule lifts.

    The booking gets a copy of the consultant's meeting place as it is now (a later change of the default
    leaves it alone), with a new video room when the consultant meets in a room per session.
    """
    now = now or timezone.now()
    company_phone = _company_phone(company_phone, company)
    consultant = slot.consultant
    questionnaire = questionnaire or questionnaire_get_current(consultant)
    if questionnaire.consultant_id != consultant.pk:
        raise BookingError("wrong_questionnaire", _("These answers belong to another consultant's questions."))
    questions = list(questionnaire.questions.all())  # no query when the caller read them with it (the view does)
    if answers_missing(questions, answers):
        raise BookingError("answers_missing", _("Please answer every required question."))
    policy = FairUsePolicy.current()
    token, token_hash = Booking.new_manage_token()
    try:
        with transaction.atomic():
            # A company's bookings are serialised (PostgreSQL) so two tabs cannot both pass the fair-use check;
            # the same query checks that the user is a member (under the lock: a member removed meanwhile waits).
            if not _lock_company_for_member(company=company, user=user):
                raise BookingError("not_member", _("Only members of the company can book for it."))
            consultant_lock_for_booking(consultant)  # before the slot: caps are counted under this lock
            locked = _lock_slot(slot.pk, now)
            try:
                fair_use_check(company=company, slot=locked, now=now, policy=policy)
            except FairUseRefusal as refusal:
                raise BookingError(refusal.code, refusal.message, refusal.lifts_at) from None
            if locked.consultant.place_kind == MeetingKind.PHONE_CONSULTANT_CALLS and not company_phone:
                raise BookingError("phone_missing", _("%(consultant)s calls you: give the number to call.")
                                   % {"consultant": locked.consultant.display_name})
            _claim_slot(locked)
            needs_approval = locked.consultant.requires_approval
            booking = Booking(
                slot=locked, consultant=locked.consultant, company=company, booked_by=user,
                status=S.REQUESTED if needs_approval else S.CONFIRMED,
                questionnaire=questionnaire, manage_token_hash=token_hash,
                confirmed_at=None if needs_approval else now,
                request_expires_at=now + timedelta(hours=policy.approval_expiry_hours) if needs_approval else None,
                company_phone=company_phone,
            )
            _place_snapshot(booking, locked.consultant)
            booking.save(force_insert=True)
            IntakeAnswer.objects.bulk_create([
                IntakeAnswer(booking=booking, question=q, question_label=q.label, question_kind=q.kind,
                             value=answers.get(q.pk), order=i)
                for i, q in enumerate(questions)
            ])
            # Size and industry were shown from the company's details and may have been corrected: keep them there.
            company_update_details(company=company, **{Question.COMPANY_KINDS[q.kind]: answers.get(q.pk)
                                                        for q in questions if q.kind in Question.COMPANY_KINDS})
            pipeline_event_record(booking=booking, kind=E.REQUESTED if needs_approval else E.BOOKED, actor=user,
                                  data={"starts_at": locked.starts_at.isoformat()})
            booking.manage_token = token
            if needs_approval:
                notifications.on_booking_requested(booking)
            else:
                notifications.on_booking_confirmed(booking)
    except IntegrityError:
        # The partial unique constraint: another active booking holds this slot.
        raise BookingError("slot_taken", _("This time was just taken by another company.")) from None
    slot.status = Slot.Status.BOOKED
    return booking


def booking_cancel(*, booking: Booking, by: User | None, reason: str = "", now: datetime | None = None) -> Booking:
    """Cancel a confirmed booking or an open request before the session starts.

    Cancelled by the company: the slot is offered again (and to the waitlist). Cancelled by the consultant:
    the slot becomes blocked, since they cannot make that time. Raises BookingError("not_active") when the
    booking is no longer active, ("too_late") when the session has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        b = _lock_booking(booking)
        if b.status not in Booking.ACTIVE:
            raise BookingError("not_active", _("This session is not active any more, so it cannot be cancelled."))
        if b.slot.starts_at <= now:
            raise BookingError("too_late", _("This session has already started, so it can no longer be cancelled."))
        by_consultant = by is not None and by.pk == b.consultant.user_id
        b.status = S.CANCELLED
        b.cancelled_at = now
        b.cancel_reason = reason.strip()
        b.cancelled_by = by
        b.save(update_fields=["status", "cancelled_at", "cancel_reason", "cancelled_by"])
        freed = _free_slot(b.slot, now=now, block=by_consultant)
        pipeline_event_record(booking=b, kind=E.CANCELLED, actor=by,
                              data={"reason": b.cancel_reason, "by": _cancelled_by_role(by, by_consultant)})
        notifications.on_booking_cancelled(b)
        if freed:
            notifications.on_slot_freed(b.slot)
    _copy(b, booking)
    return booking


def _cancelled_by_role(by: User | None, by_consultant: bool) -> str:
    if by_consultant:
        return "consultant"
    return "staff" if by is not None and by.is_staff else "company"


def booking_reschedule(*, booking: Booking, new_slot: Slot, by: User | None, now: datetime | None = None) -> Booking:
    """Move an active booking to another free slot of the same consultant, in one transaction.

    The old slot is offered again; the invite keeps its UID and its SEQUENCE goes up by one. Raises
    BookingError("not_active"), ("too_late"), ("other_consultant"), ("same_slot") or a slot code
    ("slot_taken", "slot_past", "slot_unavailable").
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            b = _lock_booking(booking)
            if b.status not in Booking.ACTIVE:
                raise BookingError("not_active", _("This session is not active any more, so it cannot be moved."))
            if b.slot.starts_at <= now:
                raise BookingError("too_late", _("This session has already started, so it can no longer be moved."))
            if new_slot.pk == b.slot_id:
                raise BookingError("same_slot", _("The session is already at this time."))
            if new_slot.consultant_id != b.consultant_id:
                raise BookingError("other_consultant", _("A session can only move to another time of the same "
                                                         "consultant."))
            old_slot = b.slot
            consultant_lock_for_booking(b.consultant)
            # Both slots in primary-key order, so two moves in opposite directions cannot deadlock.
            list(Slot.objects.select_for_update().filter(pk__in=[old_slot.pk, new_slot.pk]).order_by("pk")
                 .values_list("pk", flat=True))
            taken = _claim_slot(_lock_slot(new_slot.pk, now))
            b.slot = taken
            b.invite_sequence += 1
            b.save(update_fields=["slot", "invite_sequence"])
            freed = _free_slot(old_slot, now=now)
            pipeline_event_record(booking=b, kind=E.RESCHEDULED, actor=by,
                                  data={"from": old_slot.starts_at.isoformat(), "to": taken.starts_at.isoformat()})
            notifications.on_booking_rescheduled(b, old_slot)
            if freed:
                notifications.on_slot_freed(old_slot)
    except IntegrityError:
        raise BookingError("slot_taken", _("This time was just taken by another company.")) from None
    _copy(b, booking)
    new_slot.status = Slot.Status.BOOKED
    return booking


def booking_change_place(*, booking: Booking, by: User | None, values: dict, company_phone: str | None = None,
                         now: datetime | None = None) -> Booking:
    """Change where one session happens ("this one at your office"); the consultant's default stays as it is.

    `values` are the `place_*` fields (checked by consultants.meeting.place_clean); `company_phone` replaces
    the number the consultant calls. The invite keeps its UID and its SEQUENCE goes up by one; the company gets
    one short mail with the updated invite. A room per session keeps its room (or gets one). Returns the booking
    unchanged, and sends nothing, when nothing changed.

    Raises BookingError("not_active"), ("too_late") when the session has started, ("phone_missing") when the
    consultant is to call and there is no number, ("phone_invalid"), or ValidationError({field: message}).
    """
    now = now or timezone.now()
    with transaction.atomic():
        b = _lock_booking(booking)
        if b.status not in Booking.ACTIVE:
            raise BookingError("not_active", _("This session is not active any more, so it cannot be changed."))
        if b.slot.starts_at <= now:
            raise BookingError("too_late", _("This session has already started, so it can no longer be changed."))
        cleaned = place_clean(values, phone_region=consultant_phone_region(b.consultant))
        phone = b.company_phone if company_phone is None else _company_phone(company_phone, b.company)
        if cleaned["place_kind"] == MeetingKind.PHONE_CONSULTANT_CALLS and not phone:
            raise BookingError("phone_missing", _("%(company)s gave no phone number: give the number you will call.")
                               % {"company": b.company.name})
        before = (b.place_values(), b.company_phone)
        for name, value in cleaned.items():
            setattr(b, name, value)
        b.company_phone = phone
        if b.place_kind == MeetingKind.VIDEO_ROOM and not b.video_room:
            b.video_room = video_room_new()
        if (b.place_values(), b.company_phone) == before:
            _copy(b, booking)
            return booking
        b.invite_sequence += 1
        b.save(update_fields=[*Booking.PLACE_FIELDS, "company_phone", "video_room", "invite_sequence"])
        pipeline_event_record(booking=b, kind=E.PLACE_CHANGED, actor=by,
                              data={"from": before[0]["place_kind"], "to": b.place_kind})
        notifications.on_booking_place_changed(b)
    _copy(b, booking)
    return booking


def booking_approve(*, booking: Booking, by: User | None, now: datetime | None = None) -> Booking:
    """Confirm a request. Issues a fresh manage token (on `booking.manage_token`) for the confirmation mail.

    Raises BookingError("not_requested") when it was already answered, cancelled or expired,
    ("request_expired") when its time ran out (the expiry task will release the slot), and ("slot_unavailable")
    when the time was blocked meanwhile (time off, a holiday, busy in another calendar).
    """
    now = now or timezone.now()
    with transaction.atomic():
        b = _lock_booking(booking)
        if b.status != S.REQUESTED:
            raise BookingError("not_requested", _("This request has already been answered, cancelled or has expired."))
        if b.request_expires_at and b.request_expires_at <= now:
            raise BookingError("request_expired", _("This request has expired."))
        conflict = slot_booked_conflict(b.slot)
        if conflict is not None:  # the consultant's time off, a holiday or busy time since the request
            raise BookingError("conflict", conflict.message)
        token, token_hash = Booking.new_manage_token()
        b.status = S.CONFIRMED
        b.confirmed_at = now
        b.manage_token_hash = token_hash
        b.save(update_fields=["status", "confirmed_at", "manage_token_hash"])
        pipeline_event_record(booking=b, kind=E.APPROVED, actor=by)
        b.manage_token = token
        notifications.on_booking_confirmed(b)
    _copy(b, booking)
    booking.manage_token = token
    return booking


def booking_decline(*, booking: Booking, message: str = "", by: User | None = None,
                    now: datetime | None = None) -> Booking:
    """Decline a request with a message to the company; the slot is offered again.

    Raises BookingError("not_requested") when the request is no longer open.
    """
    now = now or timezone.now()
    with transaction.atomic():
        b = _lock_booking(booking)
        if b.status != S.REQUESTED:
            raise BookingError("not_requested", _("This request has already been answered, cancelled or has expired."))
        b.status = S.DECLINED
        b.cancel_reason = message.strip()
        b.cancelled_by = by
        b.save(update_fields=["status", "cancel_reason", "cancelled_by"])
        freed = _free_slot(b.slot, now=now)
        pipeline_event_record(booking=b, kind=E.DECLINED, actor=by or b.consultant.user,
                              data={"message": b.cancel_reason})
        notifications.on_booking_declined(b)
        if freed:
            notifications.on_slot_freed(b.slot)
    _copy(b, booking)
    return booking


def booking_expire_requests(*, now: datetime | None = None) -> int:
    """Expire requests nobody answered in time and free their slots. Returns how many expired.

    Safe to run twice or on two workers at once: each request is claimed with a conditional update
    (status still 'requested'), so only one run acts on it.
    """
    now = now or timezone.now()
    due = list(Booking.objects.filter(status=S.REQUESTED, request_expires_at__lte=now)
               .order_by("request_expires_at").values_list("pk", flat=True))
    done = 0
    for pk in due:
        with transaction.atomic():
            if not Booking.objects.filter(pk=pk, status=S.REQUESTED, request_expires_at__lte=now).update(
                    status=S.EXPIRED):
                continue
            b = Booking.objects.select_related("slot__consultant", "consultant__user", "company",
                                               "booked_by").get(pk=pk)
            freed = _free_slot(b.slot, now=now)
            pipeline_event_record(booking=b, kind=E.EXPIRED, actor=None, actor_name="Probono")
            notifications.on_booking_declined(b)
            if freed:
                notifications.on_slot_freed(b.slot)
            done += 1
    return done


def _copy(src: Booking, dst: Booking) -> None:
    """Refresh the caller's instance with what the service saved."""
    if src is dst:
        return
    for f in ("status", "slot_id", "confirmed_at", "cancelled_at", "cancel_reason", "cancelled_by_id",
              "invite_sequence", "manage_token_hash", "request_expires_at", "company_phone", "video_room",
              *Booking.PLACE_FIELDS):
        setattr(dst, f, getattr(src, f))
    if "slot" in src._state.fields_cache:
        dst.slot = src.slot


OUTCOME_EVENTS = {S.HELD: E.HELD, S.NO_SHOW: E.NO_SHOW}


def booking_record_outcome(*, booking: Booking, status: str, by: User | None, actor_name: str = "",
                           now: datetime | None = None) -> Booking:
    """Mark a confirmed session that has ended as held or as a no-show, and write that step on its timeline.

    Claimed with a conditional UPDATE on status 'confirmed', so of two concurrent calls exactly one records it.
    Raises BookingError("invalid_outcome") for any other status, ("too_early") before the session has ended,
    ("not_confirmed") when the booking is not (or no longer) confirmed.
    """
    if status not in OUTCOME_EVENTS:
        raise BookingError("invalid_outcome", _("Choose held or no-show."))
    now = now or timezone.now()
    with transaction.atomic():
        if booking.slot.ends_at > now:
            raise BookingError("too_early", _("The outcome can be recorded once the session has ended."))
        if Booking.objects.filter(pk=booking.pk, status=S.CONFIRMED).update(status=status) != 1:
            raise BookingError("not_confirmed", _("Only a confirmed session can be marked as held or no-show."))
        booking.status = status
        pipeline_event_record(booking=booking, kind=OUTCOME_EVENTS[status], actor=by, actor_name=actor_name)
    return booking
