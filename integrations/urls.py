from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from integrations import views, widget
from integrations.api import api

app_name = "integrations"

CONSULTANT, STAFF = {"scope": "consultant"}, {"scope": "staff"}


@csrf_exempt  # it changes nothing; a refused CSRF check would answer with the site's HTML page
def api_not_found(request, rest: str = ""):
    """Any other address under /api/ answers like the API does (JSON with a code), not with the site's HTML page."""
    return JsonResponse({"code": "not_found", "message": "No such API endpoint."}, status=404)


urlpatterns: list = [
    # The JSON API (integrations/api/), and JSON for any other address under /api/.
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api_not_found"),
    # The booking widget: framed only by the websites the consultant lists.
    path("widget/<slug:slug>/", widget.widget, name="widget"),
    path("widget/<slug:slug>/book/<int:pk>/", widget.widget_book, name="widget_book"),
    # Outgoing webhooks: a consultant's own endpoints, and staff-wide ones (every consultant's events).
    path("me/webhooks/", views.webhooks, CONSULTANT, name="webhooks"),
    path("me/webhooks/add/", views.webhook_add, CONSULTANT, name="webhook_add"),
    path("me/webhooks/<int:pk>/", views.webhook, CONSULTANT, name="webhook"),
    path("me/webhooks/<int:pk>/rotate/", views.webhook_rotate, CONSULTANT, name="webhook_rotate"),
    path("me/webhooks/<int:pk>/delete/", views.webhook_delete, CONSULTANT, name="webhook_delete"),
    path("me/webhooks/deliveries/<int:pk>/replay/", views.webhook_replay, CONSULTANT, name="webhook_replay"),
    path("staff/webhooks/", views.webhooks, STAFF, name="staff_webhooks"),
    path("staff/webhooks/add/", views.webhook_add, STAFF, name="staff_webhook_add"),
    path("staff/webhooks/<int:pk>/", views.webhook, STAFF, name="staff_webhook"),
    path("staff/webhooks/<int:pk>/rotate/", views.webhook_rotate, STAFF, name="staff_webhook_rotate"),
    path("staff/webhooks/<int:pk>/delete/", views.webhook_delete, STAFF, name="staff_webhook_delete"),
    path("staff/webhooks/deliveries/<int:pk>/replay/", views.webhook_replay, STAFF, name="staff_webhook_replay"),
]
