"""The shape of the house (docs/ARCHITECTURE.md), checked on the import statements of jingban.

Every module's imports — at the top and inside functions — are read with ``ast``. Modules map
to packages (``jingban.<area>``, or ``jingban.benefits.<sub>`` for the benefit sub-domains);
the top-level modules (jingban.api, jingban.cli, jingban.demo, jingban.wiring, jingban.models)
are the top and may import anything, but they are nodes of the graph too, so a cycle through
them is still found. Fails on:

(a) any cycle between packages;
(b) any ``from x import _name`` from another module (and ``module._name`` of an imported
    jingban module);
(c) the case engine (or the notices below it) importing a business area.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "jingban"
SPLIT = {"jingban.benefits"}  # packages whose sub-packages are packages of their own
TOP = {"jingban", "jingban.api", "jingban.cli", "jingban.demo", "jingban.wiring", "jingban.models"}
# Below every business area, each only on the ones before it.
ENGINE = {"jingban.core": set(), "jingban.notices": {"jingban.core"},
          "jingban.cases": {"jingban.core", "jingban.notices"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def package_of(module: str) -> str:
    """jingban.<area> (jingban.benefits.<sub>), or the module itself at the top."""
    parts = module.split(".")
    for split in SPLIT:
        depth = split.count(".") + 1
        if module.startswith(split + ".") and len(parts) > depth + 1:
            return ".".join(parts[:depth + 1])
    if len(parts) >= 2 and (ROOT / parts[1]).is_dir():
        return ".".join(parts[:2])
    return module


def imports(module: str, tree: ast.AST) -> list[tuple[str, list[ast.alias], int]]:
    """(imported module, names taken from it, line) for every import, nested ones included."""
    is_package = MODULES[module].name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
            found += [(alias.name, [alias], node.lineno) for alias in node.names if alias.asname]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            found.append((target, list(node.names), node.lineno))
    return found


def resolve(target: str, names: list[str]) -> list[str]:
    """The jingban modules an import statement reaches (``from pkg import module`` counts)."""
    if not target.startswith("jingban"):
        return []
    reached = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
    if len(reached) < len(names) or not names:
        reached.append(target)
    return reached


def build() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]], list[str]]:
    """(package graph, where each edge comes from, private-name violations)."""
    graph: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    private = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        source = package_of(module)
        aliases: dict[str, str] = {}
        for target, taken, line in imports(module, tree):
            names = [alias.name for alias in taken]
            for name in names:
                if name.startswith("_") and not name.startswith("__") and target != module:
                    private.append(f"{module}:{line} imports {name} from {target}")
            for alias in taken:  # a module bound to a name: ``from pkg import mod as m``
                bound = f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else \
                    target if not names or names == [target] else None
                if bound in MODULES:
                    aliases[alias.asname or alias.name] = bound
            for reached in resolve(target, names):
                dest = package_of(reached)
                if dest != source:
                    graph[source].add(dest)
                    where[(source, dest)].append(f"{module}:{line}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and aliases.get(node.value.id, module) != module
                    and aliases[node.value.id] in MODULES):
                private.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    return graph, where, private


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(set(graph) | {n for succs in graph.values() for n in succs}):
        if node not in index:
            visit(node)
    return found


GRAPH, WHERE, PRIVATE = build()


def test_the_cycle_detector_finds_a_cycle():
    synthetic = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(synthetic) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "d": {"a", "c"}}) == []


def test_packages_are_mapped_by_area_and_benefit_sub_domain():
    assert package_of("jingban.cases.service") == "jingban.cases"
    assert package_of("jingban.benefits.survivor.service") == "jingban.benefits.survivor"
    assert package_of("jingban.benefits") == "jingban.benefits"
    assert package_of("jingban.wiring") == "jingban.wiring"
    assert package_of("jingban.web.benefits.pension") == "jingban.web"


def test_no_cycle_between_packages():
    found = cycles(GRAPH)
    detail = [f"{' ↔ '.join(c)}: " + "; ".join(
        f"{a}→{b} ({WHERE[(a, b)][0]})" for a in c for b in GRAPH[a] if b in c) for c in found]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_no_module_imports_another_modules_private_names():
    assert not PRIVATE, "\n".join(PRIVATE)


@pytest.mark.parametrize("low", sorted(ENGINE))
def test_the_engine_imports_no_business_area(low):
    reached = GRAPH.get(low, set()) - ENGINE[low]
    assert not reached, "; ".join(f"{low}→{d} ({WHERE[(low, d)][0]})" for d in sorted(reached))


def test_nothing_below_the_top_imports_the_wiring_or_the_app():
    wiring = {"jingban.api", "jingban.cli", "jingban.wiring"}
    for source, dests in GRAPH.items():
        if source in TOP or source == "jingban.web":
            continue
        assert not dests & wiring, f"{source} imports {sorted(dests & wiring)}"
