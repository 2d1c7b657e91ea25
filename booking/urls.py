from importlib.util import find_spec

from django.urls import path

from booking import views

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

# The notification side (.ics download `booking_ics`, private calendar feed, waitlist pages) keeps its routes
# in its own module.
if find_spec("booking.urls_notifications") is not None:
    from booking.urls_notifications import notifications_urlpatterns

    urlpatterns += notifications_urlpatterns

from booking.urls_feedback import feedback_urlpatterns  # noqa: E402

urlpatterns += feedback_urlpatterns
