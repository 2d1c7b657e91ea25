"""The one registry of periodic tasks.

Each app's `tasks.py` declares its own schedules next to the functions they run:

    SCHEDULES = [Periodic(reminders_send_due, minutes=5)]

`schedules_sync()` makes django-q2's Schedule table match every app's SCHEDULES: it creates what is missing,
updates what changed (the function, the cadence) and removes the schedules of our apps that nobody declares any
more. It runs after every `migrate` (a post_migrate handler, connected in AccountsConfig.ready) and from
`manage.py setup_schedules`; running it again changes nothing. A schedule's name and dotted path come from the
function itself, so a renamed or moved task cannot leave a dangling string behind.

Schedules whose names do not start with one of our apps' labels (made by hand in the admin) are left alone.
This lives in accounts, the app every other app may import, with the other shared plumbing (mail, tokens).
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

HOURLY = "H"
MINUTES = "I"


@dataclass(frozen=True)
class Periodic:
    """`task` (a function that takes no arguments) runs every `minutes` minutes, or every hour with `hourly`."""

    task: Callable[[], object]
    minutes: int | None = None
    hourly: bool = False

    def __post_init__(self):
        if self.hourly == (self.minutes is not None):
            raise ValueError("a schedule runs either every N minutes or hourly")
        if self.minutes is not None and self.minutes < 1:
            raise ValueError("minutes must be at least 1")

    @property
    def func(self) -> str:
        """The dotted path django-q2 imports: derived from the function, never typed by hand."""
        return f"{self.task.__module__}.{self.task.__qualname__}"

    @property
    def name(self) -> str:
        """`<app>.<function>`: unique, readable in the admin, and stable while the function keeps its name."""
        return f"{self.task.__module__.split('.')[0]}.{self.task.__name__}"

    def fields(self) -> dict:
        return {"func": self.func, "schedule_type": HOURLY if self.hourly else MINUTES,
                "minutes": None if self.hourly else self.minutes, "repeats": -1}


def _project_app_configs(app_registry=global_apps) -> list:
    base = Path(settings.BASE_DIR).resolve()
    return [c for c in app_registry.get_app_configs() if Path(c.path).resolve().parent == base]


def schedules_declared() -> list[Periodic]:
    """Every app's SCHEDULES, in INSTALLED_APPS order. Raises ValueError when two declare the same name."""
    declared, names = [], set()
    for app_config in _project_app_configs():
        if not module_has_submodule(app_config.module, "tasks"):
            continue
        for periodic in getattr(import_module(f"{app_config.name}.tasks"), "SCHEDULES", []):
            if periodic.name in names:
                raise ValueError(f"schedule {periodic.name} is declared twice")
            names.add(periodic.name)
            declared.append(periodic)
    return declared


def schedules_sync(*, schedule_model=None, using: str = DEFAULT_DB_ALIAS, now=None) -> dict[str, list[str]]:
    """Make the Schedule table match the registry; returns the names created, updated and removed.

    Idempotent: a second run finds nothing to do. An updated schedule keeps its next run; a new one runs first
    at `now`. `schedule_model` is django_q's Schedule (or its migration-state version in the post_migrate
    handler).
    """
    if schedule_model is None:
        from django_q.models import Schedule  # not at import time: tasks.py modules import this one early

        schedule_model = Schedule
    now = now or timezone.now()
    declared = {p.name: p for p in schedules_declared()}
    ours = tuple(f"{c.label}." for c in _project_app_configs())
    existing = {s.name: s for s in schedule_model.objects.using(using).all() if (s.name or "").startswith(ours)}
    done = {"created": [], "updated": [], "removed": []}
    for name, periodic in declared.items():
        fields = periodic.fields()
        row = existing.get(name)
        if row is None:
            schedule_model.objects.using(using).create(name=name, next_run=now, **fields)
            done["created"].append(name)
        elif any(getattr(row, key) != value for key, value in fields.items()):
            schedule_model.objects.using(using).filter(pk=row.pk).update(**fields)
            done["updated"].append(name)
    stale = sorted(set(existing) - set(declared))
    if stale:
        schedule_model.objects.using(using).filter(name__in=stale).delete()
        done["removed"] = stale
    return done


def schedules_install(sender, *, using=DEFAULT_DB_ALIAS, apps=None, plan=None, **kwargs) -> None:
    """post_migrate handler: sync once per `migrate`, when django_q's table exists in the migrated state."""
    try:
        schedule_model = (apps or global_apps).get_model("django_q", "Schedule")
    except LookupError:  # django_q not migrated (yet) on this database
        return
    if not router.allow_migrate_model(using, schedule_model):
        return
    if schedule_model._meta.db_table not in connections[using].introspection.table_names():
        return
    schedules_sync(schedule_model=schedule_model, using=using)
