"""Walk the URLconf: every pattern of our apps, with its full route, namespaced name and path parameters."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")
SKIPPED_MODULES = ("allauth.", "django.contrib.", "django.views.static")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    view: str
    params: tuple[str, ...]
    callback: object = None


def _params(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _walk(resolver: URLResolver, prefix: str, namespace: str | None, params: tuple[str, ...]):
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p, route, ns, params + _params(p.pattern))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Route(route=route, name=name, view=p.lookup_str, params=params + _params(p.pattern),
                        callback=p.callback)


def app_routes() -> list[Route]:
    """Our own routes: no admin, no allauth, no static or media files."""
    return [r for r in _walk(get_resolver(), "", None, ())
            if not r.route.startswith(SKIPPED_PREFIXES) and not r.view.startswith(SKIPPED_MODULES)]
