"""django-q2 entry points for accounts: deliver an e-mail rendered by accounts/mail.py."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # accounts.mail enqueues this task by reference; at run time we only call the payload
    from accounts.mail import Payload


def email_deliver(payload: "Payload") -> None:
    payload.message().send()
