from accounts.mail import Payload


def email_deliver(payload: Payload) -> None:
    payload.message().send()
