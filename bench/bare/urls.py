from django.urls import path

from bench.views import baseline

# The same path as the product's baseline, so the bench's readiness check works for both servers.
urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline")]
