"""Logs as JSON lines (LOG_FORMAT=json, what `make serve` uses) and one line per request with its request id.

No Django import at module level: gunicorn's master loads the formatter before Django is set up.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# What a proxy may hand us as X-Request-ID (nginx's $request_id is 32 hex digits); anything else gets a new id,
# so a client cannot write arbitrary text into our logs through the header.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The attributes every LogRecord has; everything else on a record came from `extra=` and goes into the line.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

request_logger = logging.getLogger("probono.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request id when there is one,
    any `extra=` fields, and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """First in MIDDLEWARE: gives each request an id (the proxy's X-Request-ID when it looks like one), returns it
    in the X-Request-ID header, tags every log line and Sentry event of the request with it, and logs one line:
    method, the route template (never the raw path: secret links carry their token in the path), status and
    duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            _sentry_tag(request_id)
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": f"/{match.route}" if match is not None else "(unmatched)",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _sentry_tag(request_id: str) -> None:
    try:
        import sentry_sdk
    except ImportError:  # pragma: no cover - sentry-sdk is in requirements.txt
        return
    if sentry_sdk.get_client().is_active():
        sentry_sdk.set_tag("request_id", request_id)
