"""The code keeps to the one way of running a change (docs/architecture.md): views hand their
change to the action runner, services flush and never commit, and services read nothing of
the request. Read from the source, so a new view or service that forks the way fails here."""

from __future__ import annotations

import ast
from pathlib import Path

CIVIC = Path(__file__).resolve().parents[2] / "civic"


def _modules(*patterns: str) -> list[Path]:
    return sorted({path for pattern in patterns for path in CIVIC.glob(pattern)})


REFUSALS = ("Refused", "PermissionDenied", "IllegalMove", "PaymentsDown", "Conflict", "NotFound")
VIEWS = _modules("*/views.py", "*/views/*.py", "*/views_box.py")
SERVICES = _modules("*/services.py", "*/services/*.py")


def _calls_named(path: Path, name: str) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
    ]


def test_the_modules_are_found() -> None:
    assert len(VIEWS) > 20
    assert len(SERVICES) > 15


def test_no_view_commits_or_rolls_back_itself() -> None:
    found = {
        f"{path.relative_to(CIVIC)}:{line}"
        for path in VIEWS
        for name in ("commit", "rollback")
        for line in _calls_named(path, name)
    }
    assert sorted(found) == []


def _changing_routes(path: Path) -> list[ast.FunctionDef]:
    """The module's routes that accept POST: the ones that change something."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and getattr(decorator.func, "attr", "") == "route"
                    and "POST" in ast.unparse(decorator)
                ):
                    found.append(node)
    return found


def test_no_changing_route_catches_a_refusal_itself() -> None:
    caught = []
    for path in VIEWS:
        for route in _changing_routes(path):
            for node in ast.walk(route):
                if not isinstance(node, ast.ExceptHandler) or node.type is None:
                    continue
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
                if any(n.endswith(REFUSALS) for n in names):
                    caught.append(f"{path.relative_to(CIVIC)}:{node.lineno}")
    assert caught == []


def test_the_route_scan_sees_the_changing_routes() -> None:
    routes = [route.name for path in VIEWS for route in _changing_routes(path)]
    assert len(routes) > 90
    assert "add_comment" in routes


def test_no_service_commits() -> None:
    found = [
        f"{path.relative_to(CIVIC)}:{line}"
        for path in SERVICES
        for line in _calls_named(path, "commit")
    ]
    assert found == []


def test_no_service_reads_the_request() -> None:
    found = []
    for path in SERVICES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                used = {alias.name for alias in node.names}
                forbidden = used & {"request", "g", "session", "after_this_request"}
                if forbidden:
                    found.append(f"{path.relative_to(CIVIC)}: {sorted(forbidden)}")
    assert found == []
