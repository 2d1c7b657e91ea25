"""URLs for calendars and the waitlist; booking/urls.py adds them to the `booking` namespace."""

from django.urls import path

from booking import views_notifications as views

notifications_urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("bookings/<int:pk>/invite.ics", views.booking_ics, name="booking_ics"),
    path("consultants/<slug:slug>/waitlist/", views.waitlist_join_view, name="waitlist_join"),
    path("waitlist/<int:pk>/leave/", views.waitlist_leave_view, name="waitlist_leave"),
    path("waitlist/claim/<str:token>/", views.waitlist_claim_view, name="waitlist_claim"),
]
