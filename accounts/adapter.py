import math
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit as _rl
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import translation

from accounts.mail import Payload, payload_queue

APP = "allauth.account"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Render now (the context belongs to this request), deliver from the task queue. The site is named from
        # SITE_URL (django.contrib.sites is not installed: allauth's fallback left "register an account on .").
        site = SimpleNamespace(name="Probono", domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL)
        context = {**context, "current_site": site, "site_url": settings.SITE_URL}
        msg = self.render_mail(template_prefix, email, context)
        html = ""
        body = msg.body
        if getattr(msg, "content_subtype", "plain") == "html":
            html, body = msg.body, ""
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        payload_queue(Payload(subject=msg.subject, body=body, html=html, to=list(msg.to), from_email=msg.from_email))

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # "Successfully signed in as …" is rendered right after login(), before the next request activates the
        # person's language: render it in their language now, not the login page's.
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            with translation.override(language):
                return super().add_message(request, level, message_template, message_context, extra_tags, message)
        return super().add_message(request, level, message_template, message_context, extra_tags, message)

    def is_email_verification_mandatory(self):
        return settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"

    # --- Failed logins ------------------------------------------------------------------------------------------
    # allauth counts failures per account alone, so anyone who types a consultant's e-mail five times locks the
    # consultant out everywhere. Here a failure counts against
    #   "login_failed"          the address (all accounts) and the address + this account: what one attacker hits;
    #   "login_failed_account"  the account from any address, a slower limit for guessing spread over many
    #                           addresses, set above what one address can reach under its own limit.
    # Over any of them the answer is a 429 with Retry-After and a page that offers a login code by e-mail, which
    # these limits do not touch. A successful login takes back its own attempt, as allauth does.
    def pre_authenticate(self, request, **credentials):
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        address = _rl.get_ip(request)
        usages = []
        for action, key in (("login_failed", f"{address}:{login}"), ("login_failed_account", login)):
            usage = _rl.consume(request, app=APP, action=action, key=key)
            if usage is None:
                for earlier in usages:
                    earlier.rollback()
                raise ImmediateHttpResponse(_login_throttled(request, action, key))
            usages.append(usage)
        self._login_failed_rl_usage = _rl.RateLimitUsage(usage=[u for usage in usages for u in usage.usage])

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # After a password reset (rate-limited itself): the account's own counters start again.
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        _rl.clear(request, app=APP, action="login_failed_account", key=login)
        _rl.clear(request, app=APP, action="login_failed", key=f"{_rl.get_ip(request)}:{login}")


def _login_throttled(request, action: str, key: str):
    wait = _seconds_until_allowed(request, action, key)
    response = render(request, "account/login_throttled.html", {"minutes": max(1, math.ceil(wait / 60))},
                      status=429)
    response["Retry-After"] = str(wait)
    return response


def _seconds_until_allowed(request, action: str, key: str) -> int:
    """When the oldest attempt that keeps this request over its limit leaves the window."""
    now = time.time()
    wait = 1
    for rate in _rl.get_rates(app=APP, action=action):
        history = cache.get(_rl.get_cache_key(request, app=APP, action=action, rate=rate, key=key), [])
        recent = [t for t in history if t > now - rate.duration]  # newest first
        if len(recent) >= rate.amount:
            wait = max(wait, math.ceil(recent[rate.amount - 1] + rate.duration - now))
    return wait
