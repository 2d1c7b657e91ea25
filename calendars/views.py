"""The consultant's "My other calendars" page: add an ICS address or a CalDAV account, choose calendars, see how
each sync went, refresh, remove. No network here: fetching and CalDAV discovery run in tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendars.errors import error_text, source_error_text
from calendars.forms import CaldavSourceForm, ChooseCalendarsForm, IcsSourceForm, SourceSettingsForm
from calendars.models import CalendarSource
from calendars.selectors import busy_conflict_list, source_list
from calendars.services import (
    CalendarError,
    source_add_caldav,
    source_add_ics,
    source_choose_calendars,
    source_delete,
    source_request_sync,
    source_update,
)
from consultants.models import Consultant


def _get_consultant_for_user(request) -> Consultant:
    consultant = Consultant.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if consultant is None:
        raise Http404
    return consultant


def _get_source_for_user(request, pk: int) -> tuple[Consultant, CalendarSource]:
    consultant = _get_consultant_for_user(request)
    return consultant, get_object_or_404(CalendarSource, pk=pk, consultant=consultant)


def _render(request, consultant, *, ics_form=None, caldav_form=None, status=200):
    sources = list(source_list(consultant=consultant))
    for s in sources:
        s.error_text = source_error_text(s)
        s.settings_form = SourceSettingsForm(initial={"name": s.name, "all_day_blocks": s.all_day_blocks},
                                             prefix=f"e{s.pk}")
        if s.kind == CalendarSource.Kind.CALDAV and s.available_calendars:
            s.choose_form = ChooseCalendarsForm(source=s)
    return render(request, "calendars/sources.html", {
        "consultant": consultant, "sources": sources, "conflicts": list(busy_conflict_list(consultant=consultant)),
        "ics_form": ics_form or IcsSourceForm(prefix="ics"), "caldav_form": caldav_form or CaldavSourceForm(
            prefix="caldav"),
    }, status=status)


@login_required
def sources(request):
    return _render(request, _get_consultant_for_user(request))


@login_required
@require_POST
def add_ics(request):
    consultant = _get_consultant_for_user(request)
    form = IcsSourceForm(request.POST, prefix="ics")
    if form.is_valid():
        try:
            source_add_ics(consultant=consultant, **form.cleaned_data)
        except CalendarError as e:
            form.add_error("url", error_text(e.code))
        else:
            messages.success(request, _("Calendar added. Its busy times are read now and every 15 minutes."))
            return redirect("calendars:sources")
    return _render(request, consultant, ics_form=form, status=400)


@login_required
@require_POST
def add_caldav(request):
    consultant = _get_consultant_for_user(request)
    form = CaldavSourceForm(request.POST, prefix="caldav")
    if form.is_valid():
        try:
            source_add_caldav(consultant=consultant, **form.cleaned_data)
        except CalendarError as e:
            form.add_error("url", error_text(e.code))
        else:
            messages.success(request, _("Account added. Choose which of its calendars count as busy."))
            return redirect("calendars:sources")
    return _render(request, consultant, caldav_form=form, status=400)


@login_required
@require_POST
def choose(request, pk: int):
    _consultant, source = _get_source_for_user(request, pk)
    form = ChooseCalendarsForm(request.POST, source=source)
    if not form.is_valid():
        messages.error(request, error_text("no_calendars"))
        return redirect("calendars:sources")
    try:
        source_choose_calendars(source=source, urls=form.cleaned_data["calendars"])
    except CalendarError as e:
        messages.error(request, error_text(e.code))
    else:
        messages.success(request, _("Saved. The busy times of these calendars are read now."))
    return redirect("calendars:sources")


@login_required
@require_POST
def edit(request, pk: int):
    _consultant, source = _get_source_for_user(request, pk)
    form = SourceSettingsForm(request.POST, prefix=f"e{source.pk}")
    if form.is_valid():
        source_update(source=source, **form.cleaned_data)
        messages.success(request, _("Calendar saved."))
    else:
        messages.error(request, _("Give the calendar a name."))
    return redirect("calendars:sources")


@login_required
@require_POST
def refresh(request, pk: int):
    _consultant, source = _get_source_for_user(request, pk)
    source_request_sync(source=source)
    messages.success(request, _("The calendar is being read again. Reload this page in a moment."))
    return redirect("calendars:sources")


@login_required
@require_POST
def delete(request, pk: int):
    _consultant, source = _get_source_for_user(request, pk)
    source_delete(source=source)
    messages.success(request, _("Calendar removed, with the busy times it gave."))
    return redirect("calendars:sources")
