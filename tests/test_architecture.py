"""The layers of ARCHITECTURE.md, kept true: every import of subsmatch points down an arrow.

cli, service -> operations -> ingest, reports -> matchers -> reference -> substances -> core
(vocabulary, errors, caching, settings); store is used by operations, ingest and reports, and
uses only core; compile sits beside the front ends and nothing imports it. Imports inside
functions and under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "subsmatch"
CORE = {
    "vocabulary",
    "errors",
    "caching",
    "settings",
    "startup",
    "lazy",
}  # settings: the law engineer's, to come
BELOW_MATCHERS = {"reference", "substances", "core"}
MAY_IMPORT = {
    "core": set(),
    "substances": {"core"},
    "reference": {"substances", "core"},
    "matchers": BELOW_MATCHERS,
    "store": {"core"},
    "ingest": {"matchers", "store", *BELOW_MATCHERS},
    "reports": {"matchers", "store", *BELOW_MATCHERS},
    "operations": {"ingest", "reports", "matchers", "store", *BELOW_MATCHERS},
    "cli": {"operations", "core"},
    "service": {"operations", "core"},
    "compile": {"matchers", *BELOW_MATCHERS},
}
"""Which layers each layer may import (besides itself)."""
EXCEPTIONS = {
    ("subsmatch.cli.service", "subsmatch.service.app"): "the serve command starts the service",
}
"""Named imports the arrows do not allow, each with its reason (a module and its submodules)."""


def layer(module: str) -> str:
    """The layer of a module: its subpackage, core for the modules at the top."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in CORE:
        return "core"
    return parts[1]


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The subsmatch modules a file imports, anywhere in it."""
    source = path.read_text(encoding="utf-8")
    return imports_in(source, module_of(path), is_package=path.name == "__init__.py")


def imports_in(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """The subsmatch modules ``source`` (the text of ``module``) imports, anywhere in it."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
    return {name for name in found if name == "subsmatch" or name.startswith("subsmatch.")}


def excepted(importer: str, imported: str) -> bool:
    return any(
        (importer == a or importer.startswith(a + "."))
        and (imported == b or imported.startswith(b + "."))
        for a, b in EXCEPTIONS
    )


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_every_layer_is_known():
    assert {layer(module_of(p)) for p in SOURCES} <= set(MAY_IMPORT)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_import_points_down_an_arrow(path: Path):
    importer = module_of(path)
    own = layer(importer)
    wrong = [
        f"{importer} ({own}) imports {imported} ({layer(imported)})"
        for imported in sorted(imports_of(path))
        if layer(imported) not in (own, *MAY_IMPORT[own]) and not excepted(importer, imported)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_an_upward_import():
    """The check above can fail: an upward import, even inside a function or relative, is
    found and is not allowed."""
    source = "def f():\n    from subsmatch.operations import check\nfrom ..store import models\n"
    found = imports_in(source, "subsmatch.matchers.probe")
    assert found == {"subsmatch.operations", "subsmatch.store"}
    assert not {layer(m) for m in found} & MAY_IMPORT["matchers"]
