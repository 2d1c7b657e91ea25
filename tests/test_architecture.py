"""The apps depend on each other in one direction only, and no two modules of the product import each other
(but for the task circles named below).

Data flows accounts ← consultants ← calendars ← booking ← waitlist, feedback ← engagements ← integrations ← reports:
an app imports only from apps to its left (waitlist and feedback are siblings: neither imports the other). A lower
app that must start work in a higher one sends a signal or enqueues a task (ARCHITECTURE.md). Imports are read
with `ast`, inside functions too, so a function-level import cannot hide a dependency. Apps in the list that do not
exist yet are simply absent; an app that exists but is missing from the list fails the test.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps as django_apps

ROOT = Path(__file__).resolve().parent.parent
# Apps on one level may not import each other; each level may import every level before it.
LAYERS = [
    ["accounts"],
    ["consultants"],
    ["calendars"],
    ["booking"],
    ["waitlist", "feedback"],
    ["engagements"],
    ["integrations"],
    ["reports"],
]
RANK = {app: level for level, names in enumerate(LAYERS) for app in names}
# The project package: it wires the apps together (settings, URLs, site-wide views), so no app may import it.
SITE = "config"


def _modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name → file for every .py file of `package` under `root`."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path, *, top_level_only: bool = False):
    """(imported module name, line) for each import in the file; with top_level_only, those that run on import
    (not inside a function or under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                nested = True
            if top_level_only and nested:
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                yield base, child.lineno
                for alias in child.names:  # `from booking import services` imports the module booking.services
                    yield f"{base}.{alias.name}", child.lineno
            yield from visit(child, nested)

    yield from visit(tree, False)


def layer_violations(root: Path, layers: list[list[str]]) -> list[str]:
    rank = {app: level for level, names in enumerate(layers) for app in names}
    found = []
    for app in rank:
        if not (root / app).is_dir():
            continue  # an app of the plan that does not exist yet
        for module, path in _modules(root, app).items():
            for name, line in _imports(module, path):
                top = name.split(".")[0]
                if top == app:
                    continue
                if top == SITE or (top in rank and rank[top] >= rank[app]):
                    found.append(f"{path.relative_to(root)}:{line} imports {top}")
    return sorted(set(found))


def import_cycles(root: Path, packages: list[str]) -> list[list[str]]:
    """Groups of product modules that import each other when they are loaded (strongly connected components of
    the module-level import graph with more than one member)."""
    modules = {}
    for package in packages:
        if (root / package).is_dir():
            modules.update(_modules(root, package))
    graph = {m: set() for m in modules}
    for module, path in modules.items():
        for name, _line in _imports(module, path, top_level_only=True):
            if name in modules and name != module and not module.startswith(name + "."):
                graph[module].add(name)
    # Tarjan's algorithm.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(cycles)


def _project_apps() -> list[str]:
    return sorted(c.name for c in django_apps.get_app_configs() if Path(c.path).parent == ROOT)


def test_every_app_of_the_project_has_its_place_in_the_order():
    assert set(_project_apps()) <= set(RANK), "add the new app to LAYERS (and to ARCHITECTURE.md)"


def test_no_app_imports_an_app_above_it_or_beside_it():
    assert layer_violations(ROOT, LAYERS) == []


# The circles left on purpose, each inside one app: a service enqueues a task by function reference (so "go to
# definition" works and a rename cannot leave a dangling dotted string), and that task's entry point calls a
# service of the same app again. Both sides import the other *module* and look the function up when it is called,
# so the load order does not matter. Any other circle fails.
TASK_CIRCLES = [
    ["consultants.offer", "consultants.services", "consultants.tasks"],  # an offer refresh → the conflict mail task
    ["calendars.mails", "calendars.services", "calendars.tasks"],  # a source is saved → its sync task → the service
    ["booking.notifications", "booking.services", "booking.tasks"],  # a request expires → the decline mail task
    ["waitlist.services", "waitlist.tasks"],  # an offer is mailed; an expired offer passes the slot on
    ["integrations.services", "integrations.tasks"],  # an event's deliveries are queued → the task → the service
]


def test_no_two_modules_of_the_product_import_each_other():
    assert import_cycles(ROOT, [*RANK, SITE]) == sorted(TASK_CIRCLES)


# --- the checks themselves can fail ----------------------------------------------------------------------


def _tree(tmp_path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize("source", [
    "from waitlist.services import waitlist_join\n",
    "def hook():\n    from waitlist import services\n",
    "import feedback.models\n",
    "from config.views import home\n",
])
def test_an_upward_or_sideways_import_is_found_even_inside_a_function(tmp_path, source):
    root = _tree(tmp_path, {"booking/__init__.py": "", "booking/services.py": source,
                            "waitlist/__init__.py": "", "waitlist/services.py": "",
                            "feedback/__init__.py": "", "feedback/models.py": ""})
    assert len(layer_violations(root, LAYERS)) == 1
    sideways = _tree(tmp_path, {"waitlist/services.py": "from feedback import models\n"})
    assert layer_violations(sideways, LAYERS)[-1].startswith("waitlist/services.py:1 imports feedback")


def test_a_circle_of_module_level_imports_is_found_but_not_one_through_a_function(tmp_path):
    root = _tree(tmp_path, {"booking/__init__.py": "",
                            "booking/services.py": "from booking import notifications\n",
                            "booking/notifications.py": "from booking.services import BookingError\n",
                            "booking/feed.py": "def f():\n    from booking import invites\n",
                            "booking/invites.py": "from booking.feed import f\n"})
    assert import_cycles(root, ["booking"]) == [["booking.notifications", "booking.services"]]
