from django.urls import path

from integrations.api import api

app_name = "integrations"

urlpatterns: list = [
    path("api/v1/", api.urls),
]
