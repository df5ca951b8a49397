"""The package is layered: its import graph has no cycle, the training stages (`sft`, `rl`, `export`) share the
stage-neutral modules (`data`, `model`, `sampling`, `world`, ...) without importing each other, and a command
(`python -m ...`) is a module nothing imports. Read from the source with `ast`, module-level and function-local
imports alike, so a lazy import cannot hide a cycle."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lavida_r1"
STAGES = ("sft", "rl", "export")
# Commands and tools built on the stages: they may import them (`--untrained` initialises as SFT does; the
# diagnostics read the SFT loss). Every other module is stage-neutral.
ABOVE_STAGES = {"evaluate", "diagnose", "diagnostics"}


def module_files() -> dict[str, Path]:
    """Dotted module name → file; a package is its __init__.py."""
    files = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement of `module` reaches (a `from X import y` may name module X.y)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports, with the packages whose __init__ an import runs on the way."""
    files = module_files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets.update(name for name in imported(node, module, path.name == "__init__.py") if name in files)
        ancestors = {".".join(t.split(".")[:i]) for t in targets for i in range(2, t.count(".") + 1)}
        graph[module] = {
            t for t in targets | ancestors if t != module and not module.startswith(t + ".")
        }  # a module's own packages are running
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search)."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(module)
        return None

    return next((cycle for module in sorted(graph) if (cycle := visit(module))), None)


def top(module: str) -> str:
    """lavida_r1.sft.loop → sft."""
    return (module.split(".") + [""])[1]


def stage_of(module: str) -> str | None:
    return top(module) if top(module) in STAGES else None


def test_the_reader_sees_every_import():
    graph = import_graph()
    assert "lavida_r1.data.examples" in graph["lavida_r1.rl.step"]  # from ..data.examples import ...
    assert "lavida_r1.world" in graph["lavida_r1.data.examples"]  # the package's __init__ runs
    assert "lavida_r1.sampling.text" in graph["lavida_r1.inference"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_stages_import_no_other_stage_and_the_shared_modules_no_stage():
    crossings = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in targets
        if stage_of(target) and stage_of(target) != stage_of(module) and top(module) not in ABOVE_STAGES
    )
    assert crossings == []


def test_no_module_imports_a_command():
    files = module_files()
    commands = {
        m for m, path in files.items() if path.name == "__main__.py" or 'if __name__ == "__main__"' in path.read_text()
    }
    assert (
        sorted(f"{module} -> {target}" for module, targets in import_graph().items() for target in targets & commands)
        == []
    )
