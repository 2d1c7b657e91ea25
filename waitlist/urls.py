"""The waitlist's URLs. config/urls.py serves them in the `booking` namespace, where they were born, so every
`{% url "booking:waitlist_claim" %}` and every link already e-mailed keeps working."""

from django.urls import path

from waitlist import views

urlpatterns = [
    path("consultants/<slug:slug>/waitlist/", views.waitlist_join_view, name="waitlist_join"),
    path("waitlist/<int:pk>/leave/", views.waitlist_leave_view, name="waitlist_leave"),
    path("waitlist/claim/<str:token>/", views.waitlist_claim_view, name="waitlist_claim"),
]
