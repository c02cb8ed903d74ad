"""The layout shows the pipeline and stays so: one package per stage, data flowing one way (no
module imports from a later stage), no import cycles, no module over 400 lines."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "processor"
MAX_LINES = 400

# The order of the stages: a module may import from its own stage and from earlier ones.
ORDER = {
    "base": 0,  # problems, constants, resources, processes, oserrors
    "xlsx": 1,
    "rules": 2,
    "inputs": 3,
    "results": 4,
    "register": 5,
    "outputs": 6,
    "forms": 7,
    "top": 8,  # batch, cli
    "testing": 9,
}
BASE = {
    "processor",
    "processor.problems",
    "processor.constants",
    "processor.resources",
    "processor.processes",
    "processor.console",
    "processor.oserrors",
}
TOP = {"processor.batch", "processor.registry", "processor.commands", "processor.cli", "processor.__main__"}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def stage(module: str) -> str:
    if module in BASE:
        return "base"
    if module in TOP:
        return "top"
    if module == "processor.testing":
        return "testing"
    return module.split(".")[1]


def imports(module: str, path: Path) -> set[str]:
    """The processor modules ``module`` imports at run time (not those under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("processor")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("processor"):
                continue
            known = modules()
            for alias in node.names:  # "from . import cells" names a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
    return found


GRAPH = {name: imports(name, path) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_imports_from_a_later_stage(module):
    later = [
        target
        for target in GRAPH[module]
        if target in GRAPH and ORDER[stage(target)] > ORDER[stage(module)] and target != "processor"
    ]
    assert not later, f"{module} ({stage(module)}) imports from a later stage: {later}"


def test_there_is_no_import_cycle():
    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        path.append(module)
        for target in GRAPH.get(module, ()):
            if target != "processor" and target != module:
                visit(target)
        path.pop()
        done.add(module)

    for module in GRAPH:
        visit(module)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_module_is_over_400_lines(module):
    lines = len(modules()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_every_stage_has_its_package_and_the_readme_shows_the_tree():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for name in ("rules", "xlsx", "inputs", "results", "register", "outputs", "forms"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
        assert f"{name}/" in readme, name
