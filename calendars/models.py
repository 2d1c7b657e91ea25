"""The consultant's other calendars: where busy time comes from, and the busy times themselves (times only)."""

from urllib.parse import urlsplit

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from calendars.crypto import decrypt_json, encrypt_json
from consultants.models import Consultant, Slot


class CalendarSource(models.Model):
    """One ICS address or CalDAV account of a consultant. Its secret parts are encrypted (`secret`)."""

    class Kind(models.TextChoices):
        ICS = "ics", _("Calendar address (ICS)")
        CALDAV = "caldav", _("CalDAV account")

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="calendar_sources")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # Fernet token of {"url": …} (ICS) or {"url": …, "username": …, "password": …} (CalDAV). Never shown back.
    secret = models.TextField(editable=False)
    # What the consultant sees of the address: scheme and host only ("https://calendar.google.com/…").
    address_hint = models.CharField(_("address"), max_length=200, editable=False)
    # CalDAV: the calendars that count as busy, [{"url": …, "name": …}], chosen from the server's list.
    calendars = models.JSONField(default=list, blank=True, editable=False)
    # CalDAV: what the server listed when the account was added (found by a task, never inside a request).
    available_calendars = models.JSONField(default=list, blank=True, editable=False)
    all_day_blocks = models.BooleanField(
        _("all-day events block the day"), default=True,
        help_text=_("Turn this off for calendars with birthdays and reminders as all-day events."))
    is_active = models.BooleanField(_("active"), default=True)
    # Conditional requests (ICS): the validators of the last good answer.
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_synced_at = models.DateTimeField(_("last successful sync"), null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last error as a code and a detail (a status, seconds …); calendars/errors.py says it in plain words.
    last_error_code = models.CharField(max_length=40, blank=True, editable=False)
    last_error_detail = models.CharField(max_length=40, blank=True, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    failure_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar source")
        verbose_name_plural = _("calendar sources")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def set_secret(self, data: dict) -> None:
        self.secret = encrypt_json(data)
        self.address_hint = address_hint(data.get("url", ""))

    def get_secret(self) -> dict:
        return decrypt_json(self.secret)


def address_hint(url: str) -> str:
    """The part of an address that is safe to show again: scheme and host, never the path or query."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "…"
    return f"{parts.scheme}://{host}/…" if host else "…"


class BusyPeriod(models.Model):
    """A time the consultant is busy according to one of their calendars: start and end only, in UTC.

    A source's periods are replaced as a whole by each successful sync (calendars/services.py).
    """

    source = models.ForeignKey(CalendarSource, on_delete=models.CASCADE, related_name="busy_periods")
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="busy_periods")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="busy_starts_before_it_ends"),
        ]
        indexes = [models.Index(fields=["consultant", "starts_at"], name="busy_consultant_start_idx")]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"


class BusyConflict(models.Model):
    """A booked session that busy time from the consultant's calendars overlaps. The booking is never cancelled;
    the consultant is told once (`mailed_at`, claimed with a lease in `sending_until`).

    One row per slot while the conflict lasts; a sync that finds the overlap gone (or the slot no longer booked)
    deletes it, so a later conflict on the same slot is told again.
    """

    slot = models.OneToOneField(Slot, on_delete=models.CASCADE, related_name="busy_conflict")
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="busy_conflicts")
    detected_at = models.DateTimeField()
    mailed_at = models.DateTimeField(null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    sending_claim = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["slot__starts_at"]

    def __str__(self):
        return f"conflict on slot {self.slot_id}"
