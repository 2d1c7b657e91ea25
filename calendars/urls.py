from django.urls import path

from calendars import views

app_name = "calendars"
urlpatterns = [
    path("me/calendars/", views.sources, name="sources"),
    path("me/calendars/add/ics/", views.add_ics, name="add_ics"),
    path("me/calendars/add/caldav/", views.add_caldav, name="add_caldav"),
    path("me/calendars/<int:pk>/calendars/", views.choose, name="choose"),
    path("me/calendars/<int:pk>/edit/", views.edit, name="edit"),
    path("me/calendars/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("me/calendars/<int:pk>/delete/", views.delete, name="delete"),
]
