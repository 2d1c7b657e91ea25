"""The survey e-mails: the request with its private link (to the person who booked) and the detractor alert (to
the consultant). Composed here; feedback/services.py decides when they go and claims each before it is sent."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from accounts.mail import Recipient, email_build, email_queue
from feedback.models import Feedback


def _url(name: str, *args) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def feedback_url(token: str) -> str:
    return _url("booking:feedback", token)


def mail_feedback_request(feedback: Feedback, *, token: str) -> None:
    """Send the survey now (the caller holds the claim, feedback/services.py `feedback_send`)."""
    booking = feedback.booking
    email_build(
        template="feedback_request",
        context={"feedback": feedback, "booking": booking, "consultant": booking.consultant,
                 "company": booking.company, "starts_at": booking.slot.starts_at,
                 "is_engagement": feedback.kind == Feedback.Kind.ENGAGEMENT, "link": feedback_url(token)},
        recipient=Recipient.for_user(booking.booked_by),
    ).send()


def mail_detractor_alert(feedback: Feedback) -> None:
    """Queue the alert to the consultant after commit (the caller claimed it with `alerted_at`)."""
    booking = feedback.booking
    consultant = booking.consultant
    recipient = Recipient(email=consultant.user.email, language=consultant.user.language,
                          time_zone=consultant.time_zone or consultant.user.time_zone, name=consultant.display_name)
    email_queue(
        template="feedback_detractor",
        context={"feedback": feedback, "booking": booking, "consultant": consultant, "company": booking.company,
                 "starts_at": booking.slot.starts_at, "contact": booking.booked_by,
                 "link": _url("reports:my_feedback")},
        recipient=recipient,
    )
