"""Booking's URLs. config/urls.py serves them in the `booking` namespace together with the waitlist's and the
survey's, which kept their names when they moved to apps of their own."""

from django.urls import path

from booking import views

urlpatterns = [
    path("book/<int:pk>/", views.book, name="book"),
    path("book/<int:pk>/review/", views.review, name="review"),
    path("sessions/<int:pk>/booked/", views.confirmation, name="confirmation"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("company/sessions/", views.company_dashboard, name="company_dashboard"),
    path("company/sessions/<int:pk>/", views.company_booking, name="company_booking"),
    path("me/sessions/", views.consultant_dashboard, name="consultant_dashboard"),
    path("me/sessions/<int:pk>/approve/", views.consultant_approve, name="consultant_approve"),
    path("me/sessions/<int:pk>/decline/", views.consultant_decline, name="consultant_decline"),
    path("me/sessions/<int:pk>/cancel/", views.consultant_cancel, name="consultant_cancel"),
    path("me/sessions/<int:pk>/place/", views.consultant_place, name="consultant_place"),
    path("me/sessions/<int:pk>/move/", views.consultant_move, name="consultant_move"),
    path("me/slots/<int:pk>/cancel-booking/", views.slot_booking_cancel, name="slot_booking_cancel"),
    path("me/slots/<int:pk>/move-booking/", views.slot_booking_move, name="slot_booking_move"),
    path("me/questionnaire/", views.questionnaire_edit, name="questionnaire_edit"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("bookings/<int:pk>/invite.ics", views.booking_ics, name="booking_ics"),
]
