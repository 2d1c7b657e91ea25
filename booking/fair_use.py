"""Fair use of scarce free time: which rule (if any) stops a company from booking a slot, and when it lifts.

Each rule gives its own error code and a message that names the rule and the date it stops applying.
Limits come from FairUsePolicy (one row, edited by staff). Counted as "free sessions": requested,
confirmed, held and no-show bookings (cancelled, declined and expired ones do not count).
"""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Company
from booking.models import Booking, FairUsePolicy
from consultants.models import Slot

S = Booking.Status
COUNTED = (S.REQUESTED, S.CONFIRMED, S.HELD, S.NO_SHOW)
YEAR = relativedelta(months=12)


class FairUseRefusal(Exception):
    def __init__(self, code: str, message: str, lifts_at: datetime | None = None):
        super().__init__(message)
        self.code, self.message, self.lifts_at = code, message, lifts_at


def _day(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "DATE_FORMAT")  # "13 November 2027", "13. november 2027"


def fair_use_check(*, company: Company, slot: Slot, now: datetime | None = None,
                   policy: FairUsePolicy | None = None) -> None:
    """Raise FairUseRefusal when `company` may not book `slot` now. One query (the policy comes from the cache):
    the company's counted bookings of the widest window the four rules look at, sorted out here."""
    now = now or timezone.now()
    policy = policy or FairUsePolicy.current()
    since = min(now, slot.starts_at) - YEAR
    rows = list(Booking.objects.filter(company=company, status__in=COUNTED, slot__starts_at__gt=since)
                .order_by().values_list("status", "slot__starts_at", "slot__ends_at", "consultant_id"))

    # 1. Too many no-shows: blocked for a while after the no-show that reached the limit.
    no_shows = sorted(starts for status, starts, _e, _c in rows if status == S.NO_SHOW and starts > now - YEAR)
    if len(no_shows) >= policy.no_show_limit:
        lifts = no_shows[-1] + relativedelta(months=policy.no_show_block_months)
        if now < lifts:
            raise FairUseRefusal("no_shows", ngettext(
                "Your company missed %(count)d booked sessions in the last 12 months, so free sessions are "
                "paused for %(months)d month. You can book again from %(date)s.",
                "Your company missed %(count)d booked sessions in the last 12 months, so free sessions are "
                "paused for %(months)d months. You can book again from %(date)s.",
                policy.no_show_block_months,
            ) % {"count": len(no_shows), "months": policy.no_show_block_months, "date": _day(lifts)}, lifts)

    # 2. Upcoming sessions held at once.
    upcoming = sorted(ends for status, starts, ends, _c in rows if status in Booking.ACTIVE and starts > now)
    if len(upcoming) >= policy.max_upcoming:
        lifts = upcoming[len(upcoming) - policy.max_upcoming]
        raise FairUseRefusal("max_upcoming", ngettext(
            "A company can hold %(limit)d upcoming free session at a time, and yours already has one. You can "
            "book another after it has taken place (after %(date)s), or right away if you cancel it.",
            "A company can hold %(limit)d upcoming free sessions at a time, and yours already has %(count)d. You "
            "can book another after one of them has taken place (after %(date)s), or right away if you cancel one.",
            policy.max_upcoming,
        ) % {"count": len(upcoming), "limit": policy.max_upcoming, "date": _day(lifts)}, lifts)

    # 3. Free sessions in a rolling 12 months (counted back from the session being booked).
    window = [(starts, consultant_id) for _s, starts, _e, consultant_id in rows if starts > slot.starts_at - YEAR]
    starts = sorted(starts for starts, _c in window)
    if len(starts) >= policy.max_per_12_months:
        lifts = starts[len(starts) - policy.max_per_12_months] + YEAR
        raise FairUseRefusal("max_per_12_months", ngettext(
            "A company can have %(limit)d free session in 12 months, and yours has had it. "
            "You can book a free session that takes place from %(date)s on.",
            "A company can have %(limit)d free sessions in 12 months, and yours has had %(count)d. "
            "You can book a free session that takes place from %(date)s on.",
            policy.max_per_12_months,
        ) % {"count": len(starts), "limit": policy.max_per_12_months, "date": _day(lifts)}, lifts)

    # 4. The same consultant within 12 months.
    same = sorted(starts for starts, consultant_id in window if consultant_id == slot.consultant_id)
    if len(same) >= policy.max_same_consultant_12_months:
        lifts = same[len(same) - policy.max_same_consultant_12_months] + YEAR
        name = slot.consultant.display_name
        raise FairUseRefusal("max_same_consultant", _(
            "Your company has already had a free session with %(name)s in the last 12 months. You can book "
            "%(name)s again for a session from %(date)s on, or choose another consultant now."
        ) % {"name": name, "date": _day(lifts)}, lifts)
