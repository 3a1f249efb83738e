"""The tree stays one a newcomer can follow: no module over 600 lines, no circle of module-level imports.

Read from the source files themselves (``ast``), so a module that grows past the limit or an import
that closes a circle fails here, before a reader meets it.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kib", "themes", "indicators", "recommendations", "bench", "tests", "tools")
LIMIT = 600


def project_modules():
    """``{dotted name: path}`` of every Python module of ours, migrations left out."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py") if (ROOT / package).is_dir() else ():
            if "migrations" in path.parts or ".venv" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def module_level_imports(name, path, modules):
    """The project modules ``name`` imports at its top level (not inside a function, class or ``if``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # ``from a.b import name``: the module a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def test_no_module_is_over_600_lines():
    long = {
        name: count
        for name, path in project_modules().items()
        if (count := len(path.read_text().splitlines())) > LIMIT
    }
    assert not long, f"modules over {LIMIT} lines (split them by what they do): {long}"


def circles_in(graph):
    """Every circle of ``graph`` (``{module: modules it imports}``) found by a depth-first walk."""
    circles, state = [], {}

    def visit(name, trail):
        state[name] = "open"
        for other in sorted(graph.get(name, ())):
            # a package importing its own submodule, and the submodule its package, is how Python packages
            # work (``__init__`` re-exports); only modules that are not each other's package count
            if name.startswith(other + ".") or other.startswith(name + "."):
                continue
            if state.get(other) == "open":
                circles.append([*trail[trail.index(other):], other])
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return circles


def test_no_circle_of_module_level_imports():
    modules = project_modules()
    graph = {name: module_level_imports(name, path, modules) for name, path in modules.items()}
    assert not circles_in(graph), f"import circles: {circles_in(graph)}"


def test_a_circle_is_found():
    assert circles_in({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}}) == [["a.x", "a.y", "a.z", "a.x"]]
    assert circles_in({"a": {"a.x"}, "a.x": {"a"}, "b": {"a.x"}}) == []  # a package and its own module


def test_the_checks_see_the_tree():
    modules = project_modules()
    assert {"kib.settings", "themes.models", "themes.layout", "kib.publication.services"} <= set(modules)
    imports = module_level_imports("themes.layout", modules["themes.layout"], modules)
    assert "themes.models" in imports or "themes.parts" in imports
