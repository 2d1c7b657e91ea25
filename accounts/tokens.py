"""Secret link tokens (manage links, feed addresses, waitlist claims, surveys).

256 random bits each; only the SHA-256 of a token is stored, so a database leak reveals no working link.
"""

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """(plain token for the link, its hash for the database)."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
