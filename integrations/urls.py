from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from integrations.api import api

app_name = "integrations"


@csrf_exempt  # it changes nothing; a refused CSRF check would answer with the site's HTML page
def api_not_found(request, rest: str = ""):
    """Any other address under /api/ answers like the API does (JSON with a code), not with the site's HTML page."""
    return JsonResponse({"code": "not_found", "message": "No such API endpoint."}, status=404)


urlpatterns: list = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api_not_found"),
]
