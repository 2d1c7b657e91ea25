"""A sync's error in plain words, in the viewer's language. Stored as a code and a detail (CalendarSource)."""

from django.utils.translation import gettext as _

from calendars.models import CalendarSource


def error_text(code: str, detail: str = "") -> str:
    if not code:
        return ""
    if code == "http":
        return _("The address answered %(status)s.") % {"status": detail or "?"}
    texts = {
        "not_calendar": _("That is not a calendar file."),
        "timeout": _("Timed out after %(seconds)s s.") % {"seconds": detail or "?"},
        "too_large": _("The calendar is larger than %(mb)s MB.") % {"mb": detail or "?"},
        "too_many_redirects": _("The address redirected too many times."),
        "address_not_allowed": _("The address points to a private or local network, which is not allowed."),
        "scheme_not_allowed": _("Only https addresses can be used."),
        "bad_url": _("That is not a valid web address."),
        "dns": _("The server's name could not be found."),
        "connection": _("The server could not be reached."),
        "tls": _("The server's certificate could not be verified."),
        "auth": _("The server refused the user name or password."),
        "not_caldav": _("No CalDAV calendars were found at that address."),
        "server": _("The calendar server answered with an error."),
        "secret_unreadable": _("The saved address can no longer be read. Remove this calendar and add it again."),
        "no_calendars": _("Choose at least one calendar."),
    }
    return texts.get(code, _("The calendar could not be read."))


def source_error_text(source: CalendarSource) -> str:
    return error_text(source.last_error_code, source.last_error_detail)
