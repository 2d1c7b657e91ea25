"""The webhook pages: a consultant's own endpoints under /me/webhooks/, staff-wide ones under /staff/webhooks/.

One set of views serves both; `scope` comes from the URL pattern. A consultant reaches only their own endpoints and
deliveries (anything else is a 404); staff-wide endpoints are for staff only (others get 403). No network here:
deliveries and replays are sent by tasks.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.confirm import confirm_page, confirmed
from consultants.models import Consultant
from integrations.forms import EndpointEditForm, EndpointForm
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.selectors import delivery_list, endpoint_list
from integrations.services import (
    WebhookError,
    delivery_replay,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
)

STAFF = "staff"


def error_text(code: str) -> str:
    return {
        "bad_url": _("That is not a valid web address."),
        "scheme_not_allowed": _("Only https addresses can be used."),
        "address_not_allowed": _("The address points to a private or local network, which is not allowed."),
        "no_events": _("Choose at least one event."),
        "endpoint_disabled": _("The endpoint is turned off. Turn it on first, then replay."),
    }.get(code, _("That did not work."))


def _url(scope: str, name: str, *args) -> str:
    return reverse(f"integrations:{'staff_' if scope == STAFF else ''}{name}", args=args)


def _owner(request, scope: str) -> Consultant | None:
    """The consultant whose endpoints these are, or None for staff-wide ones. 403 / 404 for anyone else."""
    if scope == STAFF:
        if not request.user.is_staff:
            raise PermissionDenied
        return None
    consultant = Consultant.objects.filter(user=request.user).first()
    if consultant is None:
        raise Http404
    return consultant


def _get_endpoint_for_user(request, scope: str, pk: int) -> WebhookEndpoint:
    owner = _owner(request, scope)
    return get_object_or_404(WebhookEndpoint.objects.select_related("consultant"), pk=pk, consultant=owner)


def _context(request, scope: str, owner: Consultant | None, **extra) -> dict:
    return {"scope": scope, "consultant": owner, "staff_scope": scope == STAFF,
            "list_url": _url(scope, "webhooks"), **extra}


def _render_list(request, scope, owner, *, form=None, status=200):
    return render(request, "integrations/webhooks.html", _context(
        request, scope, owner, endpoints=list(endpoint_list(consultant=owner)),
        form=form or EndpointForm(initial={"events": ["booking.created"]}),
        add_url=_url(scope, "webhook_add")), status=status)


def _render_secret(request, scope, owner, endpoint, secret, *, created: bool):
    return render(request, "integrations/webhook_secret.html", _context(
        request, scope, owner, endpoint=endpoint, secret=secret, created=created,
        endpoint_url=_url(scope, "webhook", endpoint.pk)))


@login_required
def webhooks(request, scope: str):
    return _render_list(request, scope, _owner(request, scope))


@login_required
@require_POST
def webhook_add(request, scope: str):
    owner = _owner(request, scope)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint, secret = endpoint_create(consultant=owner, by=request.user, **form.cleaned_data)
        except WebhookError as e:
            form.add_error("events" if e.code == "no_events" else "url", error_text(e.code))
        else:
            # The secret is shown in this answer only (not in a redirect, a message or a log).
            return _render_secret(request, scope, owner, endpoint, secret, created=True)
    return _render_list(request, scope, owner, form=form, status=400)


@login_required
def webhook(request, scope: str, pk: int):
    endpoint = _get_endpoint_for_user(request, scope, pk)
    owner = endpoint.consultant
    status = 200
    if request.method == "POST":
        form = EndpointEditForm(request.POST)
        if form.is_valid():
            try:
                endpoint_update(endpoint=endpoint, **form.cleaned_data)
            except WebhookError as e:
                form.add_error("events" if e.code == "no_events" else "url", error_text(e.code))
            else:
                messages.success(request, _("Webhook endpoint saved."))
                return redirect(_url(scope, "webhook", endpoint.pk))
        status = 400
    else:
        form = EndpointEditForm(initial={"url": endpoint.url, "description": endpoint.description,
                                         "events": endpoint.events, "is_active": endpoint.is_active})
    deliveries = delivery_list(endpoint=endpoint)
    for d in deliveries:
        d.replay_url = _url(scope, "webhook_replay", d.pk)
    return render(request, "integrations/webhook.html", _context(
        request, scope, owner, endpoint=endpoint, form=form, deliveries=deliveries,
        edit_url=_url(scope, "webhook", endpoint.pk), rotate_url=_url(scope, "webhook_rotate", endpoint.pk),
        delete_url=_url(scope, "webhook_delete", endpoint.pk)), status=status)


@login_required
@require_POST
def webhook_rotate(request, scope: str, pk: int):
    endpoint = _get_endpoint_for_user(request, scope, pk)
    back = _url(scope, "webhook", endpoint.pk)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Make a new signing secret for %(url)s?") % {"url": endpoint.url},
            consequences=[_("The current secret stops working at once: messages are signed with the new one."),
                          _("The new secret is shown once. Put it in your receiver straight away.")],
            yes=_("Yes, make a new secret"), back_url=back, back_label=_("No, keep the current secret"))
    secret = endpoint_rotate_secret(endpoint=endpoint)
    return _render_secret(request, scope, endpoint.consultant, endpoint, secret, created=False)


@login_required
@require_POST
def webhook_delete(request, scope: str, pk: int):
    endpoint = _get_endpoint_for_user(request, scope, pk)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Remove the webhook endpoint %(url)s?") % {"url": endpoint.url},
            consequences=[_("Nothing more is sent to it, including retries still waiting."),
                          _("Its delivery log is removed too.")],
            yes=_("Yes, remove it"), back_url=_url(scope, "webhook", endpoint.pk),
            back_label=_("No, keep it"))
    endpoint_delete(endpoint=endpoint)
    messages.success(request, _("Webhook endpoint removed."))
    return redirect(_url(scope, "webhooks"))


@login_required
@require_POST
def webhook_replay(request, scope: str, pk: int):
    owner = _owner(request, scope)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk,
                                 endpoint__consultant=owner)
    try:
        delivery_replay(delivery=delivery)
    except WebhookError as e:
        messages.error(request, error_text(e.code))
    else:
        messages.success(request, _("The message is being sent again. Reload in a moment to see the attempt."))
    return redirect(_url(scope, "webhook", delivery.endpoint_id))
