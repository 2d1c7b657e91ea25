"""Personal API tokens: create (the plain token is returned once), revoke, authenticate.

A token is "pb_" + 256 random bits; only its SHA-256 is stored (accounts.tokens), so a database leak reveals no
working token. Authenticating costs one indexed query; `last_used_at` is written at most once a minute per token
(a conditional UPDATE), so a busy integration does not turn every read into a write.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import token_hash

PREFIX = "pb_"
LAST_USED_EVERY = timedelta(seconds=60)
MAX_ACTIVE = 20


class ApiTokenError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def api_token_create(*, user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """(token row, plain token). The plain token exists only in this return value.

    Raises ApiTokenError("invalid_scope"), ("too_many") beyond MAX_ACTIVE active tokens.
    """
    if scope not in ApiToken.Scope.values:
        raise ApiTokenError("invalid_scope")
    plain = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE:
            raise ApiTokenError("too_many")
        token = ApiToken.objects.create(user=user, name=name.strip()[:100] or "API", scope=scope,
                                        prefix=plain[:10], token_hash=token_hash(plain))
    return token, plain


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke `token` (its owner's own action; views 404 for anyone else). Revoking twice changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The active token whose hash matches `plain`, with its user, or None. Marks it used."""
    if not plain or not plain.startswith(PREFIX) or len(plain) > 100:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(token_hash=token_hash(plain), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_list(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")
