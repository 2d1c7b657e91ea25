"""Waitlist template tags (load with `{% load waitlist %}`).

`{% waitlist_state consultant as wl %}`: whether the viewer's company waits for `consultant` and may join.
`{% waitlist_entries as entries %}`: the viewer's company's active waitlist entries (one query).
"""

from django import template

from accounts.selectors import company_for_user
from waitlist.models import WaitlistEntry
from waitlist.selectors import waitlist_can_join, waitlist_entry_for

register = template.Library()


@register.simple_tag(takes_context=True)
def waitlist_state(context, consultant) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    company = company_for_user(user) if user is not None and user.is_authenticated else None
    entry = waitlist_entry_for(consultant=consultant, company=company)
    return {"entry": entry, "can_join": entry is None and waitlist_can_join(consultant=consultant),
            "has_company": company is not None}


@register.simple_tag(takes_context=True)
def waitlist_entries(context) -> list:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(
        WaitlistEntry.objects.filter(company__memberships__user=user, status__in=WaitlistEntry.ACTIVE)
        .select_related("consultant").order_by("created_at")
    )
