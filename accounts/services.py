"""State changes for people and companies. Each function is one transaction."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.mail import Recipient, email_queue
from accounts.models import Company, Membership, User


class AccountError(Exception):
    """A refused change; `code` says which rule, the message is for people."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code


def company_create(*, owner: User, name: str, org_number: str, country: str, industry: str, size: str) -> Company:
    """Create a company with `owner` as its owner.

    Raises AccountError("org_number_taken") when the country already has a company with that number.
    """
    try:
        with transaction.atomic():
            company = Company.objects.create(
                name=name, org_number=org_number, country=country, industry=industry, size=size
            )
            Membership.objects.create(user=owner, company=company, role=Membership.Role.OWNER)
    except IntegrityError:
        raise AccountError("org_number_taken") from None
    return company


def company_update_details(*, company: Company, size: str | None = None, industry: str | None = None) -> Company:
    """Change the company's size and/or industry (None leaves a field as it is); a value outside the choices is
    ignored. Saves only what changed. The booking questions answered from these details call this."""
    changed = []
    for name, value, allowed in (("size", size, Company.Size.values), ("industry", industry, Company.Industry.values)):
        if value is not None and value in allowed and getattr(company, name) != value:
            setattr(company, name, value)
            changed.append(name)
    if changed:
        with transaction.atomic():
            company.save(update_fields=changed)
    return company


def invitation_url(user: User) -> str:
    """A one-time link where an invited person chooses a password (it stops working once they do)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:invitation", args=[uid, token])


def user_invite(*, email: str, name: str = "", language: str = "", time_zone: str = "") -> tuple[User, bool]:
    """Find or create the account for `email`; a new account has no password until the invitation is accepted."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    extra = {"name": name}
    if language:
        extra["language"] = language
    if time_zone:
        extra["time_zone"] = time_zone
    return User.objects.create_user(email=email, **extra), True


def member_invite(*, company: Company, email: str, invited_by: User) -> Membership:
    """Add a colleague to `company` and e-mail them.

    A person with an account is added and told; a new person gets an invitation link.
    Raises AccountError("not_owner") unless `invited_by` owns the company, and
    AccountError("already_member") when they already belong to it.
    """
    with transaction.atomic():
        if not Membership.objects.filter(company=company, user=invited_by, role=Membership.Role.OWNER).exists():
            raise AccountError("not_owner")
        user, created = user_invite(email=email, language=invited_by.language, time_zone=invited_by.time_zone)
        membership, new = Membership.objects.get_or_create(
            user=user, company=company, defaults={"role": Membership.Role.MEMBER, "invited_by": invited_by}
        )
        if not new:
            raise AccountError("already_member")
        email_queue(
            template="member_invitation",
            context={
                "company": company,
                "invited_by": invited_by,
                "link": invitation_url(user) if created or not user.has_usable_password() else settings.SITE_URL,
                "new_account": created or not user.has_usable_password(),
            },
            recipient=Recipient.for_user(user),
        )
    return membership


def invitation_accept(*, user: User, name: str, password: str) -> User:
    """Set the invited person's name and password; the link proved they own the address."""
    with transaction.atomic():
        user.name = name or user.name
        user.set_password(password)
        user.save(update_fields=["name", "password"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


def user_update_preferences(*, user: User, name: str, time_zone: str, language: str) -> User:
    user.name = name
    user.time_zone = time_zone
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "time_zone", "language"])
    return user
