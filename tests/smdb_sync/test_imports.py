"""The SMDB sync's modules import one way: the outbox records, the sync sends,
the tasks call the sync (issue 10). Read from the source, so an import hidden in
a function body counts too."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

MODULES = ("smdb.outbox", "smdb.sync", "smdb.tasks")
#: module -> the sync modules it may import (each lower layer only)
ALLOWED = {
    "smdb.outbox": set(),
    "smdb.sync": {"smdb.outbox"},
    "smdb.tasks": {"smdb.sync", "smdb.outbox"},
}


def imported_modules(module: str) -> set[str]:
    path = Path(importlib.util.find_spec(module).origin)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # "from smdb import sync" imports the module smdb.sync
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("module", MODULES)
def test_sync_modules_import_only_the_layers_below_them(module):
    imports = imported_modules(module) & set(MODULES)
    assert imports <= ALLOWED[module], f"{module} imports {sorted(imports - ALLOWED[module])}"


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    (tmp_path / "kreds.py").write_text("def f():\n    from smdb import tasks\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "smdb.tasks" in imported_modules("kreds")


def test_the_outbox_queues_the_task_the_tasks_module_defines():
    from smdb import outbox, tasks

    assert tasks.send_forloeb.name == outbox.SEND_TASK
