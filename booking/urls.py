from django.urls import path

from booking import views
from booking.urls_feedback import feedback_urlpatterns
from booking.urls_notifications import notifications_urlpatterns

app_name = "booking"
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
    path("me/slots/<int:pk>/cancel-booking/", views.slot_booking_cancel, name="slot_booking_cancel"),
    path("me/questionnaire/", views.questionnaire_edit, name="questionnaire_edit"),
]

# Calendars and the waitlist, and the survey, keep their routes next to their views.
urlpatterns += notifications_urlpatterns + feedback_urlpatterns
