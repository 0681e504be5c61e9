"""The project's import graph, read from the source with `ast` (architecture.md 1).

Every `import` and `from ... import` counts wherever it is written: at the top of a module,
inside a function, or under `if TYPE_CHECKING:`. A late import hides a dependency from the
reader and from start-up order, not from the design, so it is a dependency like any other.

Modules are grouped into units: a top-level package (`core`, `channels`, `workers`,
`kerbside`) or, inside `core`, an area (`core.booking`, `core.outbox`, or a module of its own
such as `core.db`). `cycles` finds the groups of units that import each other, directly or
round a longer loop; `forbidden_imports` finds imports a unit must not make.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    imported: str  # dotted name as resolved (a module of the tree, or an outside name)
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def module_names(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted name -> file for every `.py` file of `packages` under `root`."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_in(name: str, path: Path, known: Mapping[str, Path]) -> list[Import]:
    """Every import written anywhere in the module, resolved to a module of `known` where it
    names one (`from a import b` is `a.b` when that is a module, else `a`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(package, node.module, node.level)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append(Import(name, target if target in known else base, node.lineno))
    return found


def _absolute(package: str, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    parts = package.split(".")
    parts = parts[: len(parts) - level + 1]
    return ".".join([*parts, module] if module else parts)


def project_imports(root: Path, packages: Iterable[str]) -> list[Import]:
    known = module_names(root, packages)
    return [found for name, path in known.items() for found in imports_in(name, path, known)]


def unit_of(module: str) -> str:
    """`core.booking.service` -> `core.booking`; `core.db` -> `core.db`; `channels.sms.x` ->
    `channels`."""
    parts = module.split(".")
    if parts[0] == "core" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def top_level(module: str) -> str:
    return module.split(".")[0]


def cycles(
    imports: Iterable[Import], group: Callable[[str], str], within: str | None = None
) -> list[list[Import]]:
    """Each loop of units that import each other, as the imports that close it (one example
    import per step), shortest first. `within` keeps only units under that package."""
    edges: dict[str, dict[str, Import]] = {}
    for found in imports:
        a, b = group(found.importer), group(found.imported)
        if a == b or (within and not (a.startswith(within) and b.startswith(within))):
            continue
        edges.setdefault(a, {}).setdefault(b, found)
    loops: list[list[Import]] = []
    for component in _strongly_connected(edges):
        loops.append(_loop_through(sorted(component)[0], component, edges))
    return sorted(loops, key=len)


def _strongly_connected(edges: Mapping[str, Mapping[str, Import]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative enough for a package graph; components of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _loop_through(
    start: str, component: set[str], edges: Mapping[str, Mapping[str, Import]]
) -> list[Import]:
    """The shortest way from `start` back to itself inside `component` (breadth first)."""
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt, found in sorted(edges.get(node, {}).items()):
            if nxt == start:
                return [*paths[node], found]
            if nxt in component and nxt not in paths:
                paths[nxt] = [*paths[node], found]
                queue.append(nxt)
    raise AssertionError(f"{start} is in a cycle but no loop was found")


def forbidden_imports(
    imports: Iterable[Import], importer_prefix: str, banned: Iterable[str]
) -> list[Import]:
    """Imports by modules under `importer_prefix` of a banned top-level name."""
    banned = set(banned)
    return [
        found
        for found in imports
        if top_level(found.importer) == importer_prefix and top_level(found.imported) in banned
    ]


def describe(loop: list[Import]) -> str:
    return " -> ".join(str(found) for found in loop)
