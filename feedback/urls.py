"""The survey's URL. config/urls.py serves it in the `booking` namespace, where it was born, so
`{% url "booking:feedback" %}` and every survey link already e-mailed keep working."""

from django.urls import path

from feedback import views

urlpatterns = [
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("bookings/<int:pk>/customer-nps/", views.customer_nps_upload, name="customer_nps_upload"),
    path("customer-nps/<str:token>/", views.customer_nps_after, name="customer_nps_after"),
]
