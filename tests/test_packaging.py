"""The portal is one installable package: its pins agree with requirements.txt, Datasette finds its plugins through
one entry point in one explicit order, one module holds the ASGI layers, and nothing edits sys.path."""

import ast
import importlib
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from plugins import middleware, registry

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pinned(requirements: list[str]) -> dict[str, str]:
    found = {}
    for text in requirements:
        requirement = Requirement(text)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not pinned exactly: {text}"
        found[canonicalize_name(requirement.name)] = specifiers[0].version
    return found


def test_the_package_pins_what_requirements_txt_pins_at_the_same_versions():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = pinned([line for line in lines if line])
    runtime = pinned(PROJECT["dependencies"])
    declared = {**runtime, **pinned([text for extra in PROJECT["optional-dependencies"].values() for text in extra])}
    assert declared == requirements
    assert "datasette" in runtime and "pytest" not in runtime


def test_datasette_finds_the_portals_plugins_through_one_entry_point():
    entries = [
        entry
        for entry in metadata.entry_points(group="datasette")
        if canonicalize_name(entry.dist.name) == canonicalize_name(PROJECT["name"])
    ]
    assert [entry.value for entry in entries] == ["plugins.registry"]


def _modules_with(pattern: str) -> set[str]:
    return {path.stem for path in (ROOT / "plugins").glob("*.py") if re.search(pattern, path.read_text(), re.M)}


def test_every_plugin_module_is_listed_once_and_registered_in_that_order(portal):
    hooked = _modules_with(r"^@hookimpl")
    assert len(set(registry.PLUGINS)) == len(registry.PLUGINS)
    assert set(registry.PLUGINS) == hooked, "plugins/registry.py must list every module with hooks, and only those"
    from datasette.plugins import pm

    startup = [impl.plugin_name for impl in reversed(pm.hook.startup.get_hookimpls())]
    ours = [name.removeprefix("portal.") for name in startup if name.startswith("portal.")]
    assert ours == [name for name in registry.PLUGINS if name in ours]  # called in the listed order


def test_one_asgi_wrapper_whose_layers_are_every_middleware_module(portal):
    assert _modules_with(r"^def asgi_wrapper") == {"middleware"}
    assert {layer.__name__.rpartition(".")[2] for layer in middleware.LAYERS} == _modules_with(r"^def middleware\(")
    from datasette.plugins import pm

    portal_wrappers = [impl for impl in pm.hook.asgi_wrapper.get_hookimpls() if impl.plugin_name.startswith("portal.")]
    assert [impl.plugin for impl in portal_wrappers] == [importlib.import_module("plugins.middleware")]


@pytest.mark.parametrize("first", ["datasette.app", "the plugin modules"])
def test_every_plugin_registers_its_hooks_whatever_is_imported_first(first):
    # A plugin module that reached Datasette's internals at import would load the entry point while itself half
    # imported, and be registered without its hooks.
    load = (
        "import datasette.app"
        if first == "datasette.app"
        else ("import importlib\nfor name in sorted(PLUGINS): importlib.import_module('plugins.' + name)")
    )
    code = (
        f"PLUGINS = {list(registry.PLUGINS)!r}\n{load}\nfrom datasette.plugins import pm\n"
        "print([name for name in PLUGINS if not pm.get_hookcallers(pm.get_plugin('portal.' + name))])"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_no_module_changes_sys_path():
    offenders = []
    for path in [*ROOT.glob("plugins/**/*.py"), *ROOT.glob("scripts/**/*.py"), *ROOT.glob("tests/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", None) == "sys":
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, sorted(set(offenders))


def test_no_two_modules_share_a_name():
    # A name says what a module is: two `load.py` or two `report.py` make every import and traceback ambiguous.
    names = {}
    for path in [*ROOT.glob("plugins/**/*.py"), *ROOT.glob("scripts/**/*.py")]:
        if path.name not in ("__init__.py", "__main__.py"):
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert not {name: paths for name, paths in names.items() if len(paths) > 1}
