"""The JSON API, /api/v1/: django-ninja (pydantic schemas; the OpenAPI document is generated from the type hints;
sync views that call our services as the pages do). Interactive docs at /api/v1/docs, served from our own static
files. Staff report figures are added by the reports app (reports/api.py), which sits above integrations.
"""

from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI, Swagger

from integrations.api import company, consultant, public, staff
from integrations.api.auth import SIGNED_IN
from integrations.api.errors import ERROR_STATUSES, ErrorOut, install


class ProbonoAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return _document_errors(super().get_openapi_schema(*args, **kwargs))

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            pattern.callback = _json_405(pattern.callback)
        return urls


def _json_405(view):
    """ninja answers a method an address does not take with an empty HTML 405; ours is JSON like every error."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allow = response["Allow"]
            response = JsonResponse({"code": "method_not_allowed", "message": "Allowed: " + allow}, status=405)
            response["Allow"] = allow
        return response

    return wrapped


api = ProbonoAPI(
    title="Probono API",
    version="1",
    description=("Probono's JSON API. Authenticate with a personal API token from your profile page "
                 "(`Authorization: Bearer pb_…`); read tokens may only GET. Errors are JSON with a stable `code`."),
    urls_namespace="integrations:api",
    auth=SIGNED_IN,  # each router says who may call it; this also tells the docs page to send the CSRF token
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install(api)
api.add_router("", public.router)
api.add_router("", company.router)
api.add_router("", consultant.router)
api.add_router("", staff.router)


def _document_errors(schema: dict) -> dict:
    """Every operation may answer the error statuses with an ErrorOut body: say so in the schema."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses.setdefault(str(status), {"description": "Error",
                                                   "content": {"application/json": {"schema": ref}}})
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}")
    return schema
