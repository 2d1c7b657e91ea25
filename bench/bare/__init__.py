"""The bare reference: a Django project as `startproject` makes it, serving bench.views.baseline only."""
