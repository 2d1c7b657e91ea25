"""The benchmark's URLconf: every product URL, plus /bench/baseline/ (one trivial query, a trivial template)."""

from django.db import connection
from django.shortcuts import render
from django.urls import path

from config.urls import handler500  # noqa: F401  (handler500 re-exported)
from config.urls import urlpatterns as product_urlpatterns


def baseline(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return render(request, "bench/baseline.html", {"one": one})


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *product_urlpatterns]
