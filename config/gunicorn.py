"""gunicorn's settings for `make serve` and the systemd unit (`gunicorn -c python:config.gunicorn`).

Workers come from WEB_CONCURRENCY (gunicorn's own variable). gunicorn's access log is off: the app writes one
JSON line per request itself (config/logs.py), with the route template and the request id, which gunicorn cannot
know. gunicorn's own messages use the same JSON formatter when LOG_FORMAT=json.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = 30
# Shorter than the launcher's grace (8 s) and systemd's TimeoutStopSec: requests in flight finish, then it exits.
graceful_timeout = 5
accesslog = None
# nginx on the same host: trust its X-Forwarded-* only from loopback (the default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

if os.environ.get("LOG_FORMAT", "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
