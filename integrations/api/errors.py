"""Every API error is JSON with a stable `code` (the same codes the services raise) and a `message` for people.

Domain refusals (BookingError, EngagementError) answer 409 with the service's own code (`slot_taken`,
`max_upcoming`, …) and, when the rule lifts at a known time, `lifts_at`. Bad input answers 422 with `code`
"invalid" and the fields in `errors`; nothing a client sends is a 500.
"""

import math
from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from booking.errors import BookingError
from engagements.services import EngagementError


class ErrorOut(Schema):
    code: str
    message: str
    lifts_at: datetime | None = None
    errors: list[dict] | None = None


class ApiError(Exception):
    """Raised by the API's own checks: a status, a stable code and a message."""

    def __init__(self, status: int, code: str, message: str = ""):
        super().__init__(message or code)
        self.status, self.code, self.message = status, code, message or code


class RateLimited(Exception):
    def __init__(self, retry_after: float):
        super().__init__("rate_limited")
        self.retry_after = retry_after


# The codes every operation may answer besides its success (documented in the schema for each operation).
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


def _error(api, request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


def install(api) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return _error(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(BookingError)
    def booking_error(request, exc: BookingError):
        return _error(api, request, 409, exc.code, exc.message, lifts_at=exc.lifts_at)

    @api.exception_handler(EngagementError)
    def engagement_error(request, exc: EngagementError):
        return _error(api, request, 409, exc.code, exc.message)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return _error(api, request, 401, "not_authenticated",
                      _("Send a valid API token (Authorization: Bearer …) or sign in."))

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type", "")}
                  for e in exc.errors]
        return _error(api, request, 422, "invalid", _("Some fields are missing or not valid."), errors=errors)

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc: RateLimited):
        response = _error(api, request, 429, "rate_limited", _("Too many requests. Try again in a moment."))
        response["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 429: "rate_limited"}
        return _error(api, request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))
