"""Settings for the benchmark server: the product's settings, served like production, plus two bench-only bits.

gunicorn runs with DJANGO_SETTINGS_MODULE=bench.settings. Production-like: DEBUG off, manifest static files,
no SSL redirect (plain HTTP on 127.0.0.1). Added: the benchmark's own URLconf (the product's URLs plus a
baseline view) and a middleware that reports each request's query count in `X-Query-Count`.
"""

import os

# config.settings reads these at import time, so they must be set first.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "b" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")

from config.settings import *  # noqa: E402,F403
from config.settings import BASE_DIR, MIDDLEWARE, Q_CLUSTER, TEMPLATES  # noqa: E402

ROOT_URLCONF = "bench.urls"
# Outermost, so the session and user lookups of every other middleware are counted too.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# collectstatic into a scratch directory (bench/run.py sets it), never into the project's staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "var" / "bench" / "static"))

# The fault script kills the cluster and wants re-delivery sooner than the product's 60 s (timeout < retry).
if os.environ.get("BENCH_Q_RETRY"):
    Q_CLUSTER = {**Q_CLUSTER, "retry": int(os.environ["BENCH_Q_RETRY"]),
                 "timeout": max(1, int(os.environ["BENCH_Q_RETRY"]) - 5)}

# The fault script counts mails in the files of Django's file-based backend (config.settings has no such variable).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# Every simulated client connects from 127.0.0.1, so per-address limits would turn the load into 429s;
# the limits have their own tests (tests/security/test_rate_limits.py).
ACCOUNT_RATE_LIMITS = False
