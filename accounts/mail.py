"""E-mail: render in the recipient's language and time zone, deliver from a background task.

Templates live in templates/email/<name>_subject.txt, <name>_body.txt and <name>_body.html; every mail has both
parts, and the bodies extend email/base.txt and email/base.html (one header, footer and typography for all).
`email_queue` is for mail that may be sent from inside a transaction: delivery is queued on commit,
so a rolled-back change never mails anyone. Tasks that must send exactly once (reminders) claim their
row first and then call `email_build(...).send()` themselves.
"""

import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_q.tasks import async_task

from accounts import tasks


@dataclass
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str  # e.g. "text/calendar; method=REQUEST"


@dataclass
class Recipient:
    email: str
    language: str = settings.LANGUAGE_CODE
    time_zone: str = settings.DEFAULT_USER_TIME_ZONE
    name: str = ""

    @classmethod
    def for_user(cls, user) -> "Recipient":
        return cls(email=user.email, language=user.language, time_zone=user.time_zone, name=user.name)


@dataclass
class Payload:
    """What the delivery task needs: plain data, so the queue can store it."""

    subject: str
    body: str
    to: list[str]
    html: str = ""
    from_email: str = settings.DEFAULT_FROM_EMAIL
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict = field(default_factory=dict)

    def message(self) -> EmailMultiAlternatives:
        msg = EmailMultiAlternatives(self.subject, self.body, self.from_email, self.to, headers=self.headers)
        if self.html:
            msg.attach_alternative(self.html, "text/html")
        for a in self.attachments:
            msg.attach(a.filename, a.content, a.mimetype)
        return msg


def email_render(*, template: str, context: dict, recipient: Recipient) -> Payload:
    ctx = {"site_url": settings.SITE_URL, "recipient": recipient, **context}
    with translation.override(recipient.language), timezone.override(zoneinfo.ZoneInfo(recipient.time_zone)):
        subject = " ".join(render_to_string(f"email/{template}_subject.txt", ctx).split())
        body = render_to_string(f"email/{template}_body.txt", ctx)
        html = render_to_string(f"email/{template}_body.html", ctx)
    return Payload(subject=subject, body=body, html=html, to=[recipient.email])


def email_build(*, template: str, context: dict, recipient: Recipient, attachments=()) -> EmailMultiAlternatives:
    payload = email_render(template=template, context=context, recipient=recipient)
    payload.attachments = list(attachments)
    return payload.message()


def email_queue(*, template: str, context: dict, recipient: Recipient, attachments=()) -> None:
    """Render now, deliver after the surrounding transaction commits (immediately outside one)."""
    payload = email_render(template=template, context=context, recipient=recipient)
    payload.attachments = list(attachments)
    payload_queue(payload)


def payload_queue(payload: Payload) -> None:
    # save=False: a rendered mail may hold a secret (invitation link, password-reset key, sign-in code); django-q2
    # must not keep it in its result table once delivered.
    transaction.on_commit(lambda: async_task(tasks.email_deliver, payload, task_name="email", save=False))
