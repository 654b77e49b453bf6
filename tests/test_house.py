"""House rules of the code base, checked on the source: every module documented in README's developer
table, modules and functions of a readable size, imports that flow one way through the cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ctre_xl"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# The cycle's stages in import order: a module may import its own stage (template and read are two
# peers of one rank, apart from each other) and the stages before it, never a later one.
STAGE_RANK = {"base": 0, "plan": 1, "template": 2, "read": 2, "merge": 3, "history": 4, "output": 5,
              "pipeline": 6, "api": 7, "demo": 8, "cli": 9}
TOP_LEVEL_STAGES = {"pipeline": "pipeline", "cli": "cli", "cli_vi": "cli", "cli_history": "cli", "cli_base": "cli", "__main__": "cli",
                    "api": "api"}
# The template's layout is the writer/reader contract: the one crossing between the peers.
PEER_CONTRACT = {("read", "ctre_xl.template.layout")}
# The package itself is the analysts' door: its functions hand over to the API (lazily).
FACADE = {("ctre_xl", "ctre_xl.api")}


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _stage(module: str) -> str:
    """The stage of a dotted module under ctre_xl: its package, or base/pipeline/cli at the top."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # ctre_xl itself (__version__)
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return TOP_LEVEL_STAGES.get(parts[1], "base")


def _package_of(module: str) -> str:
    path = MODULES.get(module)
    return module if path is not None and path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names taken from it) for every import of ctre_xl, lazy ones included."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.startswith("ctre_xl")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                anchor = _package_of(module).split(".")
                base = ".".join(anchor[:len(anchor) - node.level + 1] + ([base] if base else []))
            if not base.startswith("ctre_xl"):
                continue
            names = [alias.name for alias in node.names]
            submodules = [f"{base}.{name}" for name in names if f"{base}.{name}" in MODULES]
            found += [(node.lineno, sub, []) for sub in submodules]
            rest = [name for name in names if f"{base}.{name}" not in MODULES]
            if rest:
                found.append((node.lineno, base, rest))
    return found


# ----------------------------------------------------------------------------- README


def _readme_modules() -> set[str]:
    """Every backticked .py path in the first column of README's markdown tables (relative to ctre_xl/)."""
    named = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            first = line.strip("|").split("|")[0]
            named.update(re.findall(r"`([^`]+\.py)`", first))
    return named


def test_readme_developer_table_names_every_module() -> None:
    modules = {path.relative_to(PACKAGE).as_posix() for path in MODULES.values()
               if path.stem not in ("__init__", "__main__")}
    named = _readme_modules()
    assert sorted(modules - named) == [], "modules missing from README's developer table"
    assert sorted(named - modules) == [], "README's developer table names modules that do not exist"


# ----------------------------------------------------------------------------- sizes


def test_no_module_over_400_lines() -> None:
    long = {name: lines for name, path in MODULES.items()
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_over_60_lines() -> None:
    """Counted from the def line to the last line of the body, docstring and comments included."""
    long = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name} (line {node.lineno})"] = lines
    assert long == {}


# ----------------------------------------------------------------------------- imports


def _import_direction_problem(module: str, target: str) -> str | None:
    here, there = _stage(module), _stage(target)
    if (module, target) in FACADE:
        return None
    if here == there or STAGE_RANK[there] < STAGE_RANK[here]:
        return None
    if STAGE_RANK[there] == STAGE_RANK[here] and (here, target) in PEER_CONTRACT:
        return None
    return f"{here} imports {there}"


def test_imports_flow_one_way_through_the_cycle() -> None:
    """base (errors, files, text, …) < plan < template, read < merge < output < pipeline < demo < cli."""
    problems = []
    for module in MODULES:
        for line, target, _names in _imports(module):
            problem = _import_direction_problem(module, target)
            if problem:
                problems.append(f"{module}:{line} imports {target} ({problem})")
    assert problems == []


def test_no_private_name_imported_across_packages() -> None:
    problems = []
    for module in MODULES:
        for line, target, names in _imports(module):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            private += [target] if any(part.startswith("_") and not part.startswith("__")
                                       for part in target.split(".")) else []
            if private and _package_of(target) != _package_of(module):
                problems.append(f"{module}:{line} imports {', '.join(private)} from {target}")
    assert problems == []


@pytest.mark.parametrize("module, target, allowed", [
    ("ctre_xl.read.submission", "ctre_xl.template.layout", True),
    ("ctre_xl.read.submission", "ctre_xl.template.writer", False),
    ("ctre_xl.template.writer", "ctre_xl.read.values", False),
    ("ctre_xl.merge.merge", "ctre_xl.plan.catalog", True),
    ("ctre_xl.plan.catalog", "ctre_xl.merge.merge", False),
    ("ctre_xl.errors", "ctre_xl.plan.catalog", False),
    ("ctre_xl.cli", "ctre_xl.demo.run", True),
    ("ctre_xl.demo.run", "ctre_xl.cli", False),
    ("ctre_xl.output.report", "ctre_xl", True),
])
def test_the_direction_rule_itself(module, target, allowed) -> None:
    """The checker on known cases, so that a broken checker cannot pass everything."""
    assert (_import_direction_problem(module, target) is None) is allowed
