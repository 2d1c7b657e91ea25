"""The benchmark's URLconf: every product URL, plus /bench/baseline/ (one trivial query, a trivial template)."""

from django.urls import path

from bench.views import baseline
from config.urls import handler500  # noqa: F401  (handler500 re-exported)
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *product_urlpatterns]
