"""The one view both yardsticks serve: one `SELECT 1` and a tiny template.

`/bench/baseline/` serves it behind the product's whole stack (bench/urls.py, bench/settings.py); the bare
reference (bench/bare/) serves the very same function behind a fresh `startproject`'s middleware, so the
difference between the two is what the product's stack costs per request.
"""

from django.db import connection
from django.shortcuts import render


def baseline(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return render(request, "bench/baseline.html", {"one": one})
