from django.urls import path

from integrations import widget

app_name = "integrations"

urlpatterns: list = [
    path("widget/<slug:slug>/", widget.widget, name="widget"),
    path("widget/<slug:slug>/book/<int:pk>/", widget.widget_book, name="widget_book"),
]
