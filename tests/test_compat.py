"""The one door to Datasette's internals: nothing else goes through it, and it refuses a Datasette it was not
written for."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPAT = ROOT / "plugins" / "portal_site" / "compat.py"
# Datasette's documented API for plugins: hookimpl, the request and response classes, the utilities of the
# "Internals for plugins" page. Everything else is private.
DOCUMENTED = {"datasette", "datasette.utils", "datasette.utils.asgi", "datasette.app"}


def _imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_only_the_compat_module_imports_datasette_internals():
    offenders = {}
    for path in sorted([*ROOT.glob("plugins/**/*.py"), *ROOT.glob("scripts/**/*.py")]):
        if path == COMPAT:
            continue
        private = {
            m for m in _imports(path) if (m == "datasette" or m.startswith("datasette.")) and m not in DOCUMENTED
        }
        if private:
            offenders[str(path.relative_to(ROOT))] = sorted(private)
    assert not offenders, offenders


@pytest.mark.parametrize("entry", ["plugins.portal_site.compat", "datasette.app"])
def test_compat_refuses_another_datasette(entry):
    # datasette.app: Datasette itself, which loads the portal's plugins through their entry point, refuses to start.
    code = f"import datasette; datasette.__version__ = '1.0a19'\nimport {entry}\n"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0
    assert "this is Datasette 1.0a19" in run.stderr and "requirements.txt" in run.stderr


def test_compat_loads_on_the_pinned_datasette():
    pinned = next(
        line.split("==")[1].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.lower().startswith("datasette==")
    )
    code = "import datasette, plugins.portal_site.compat; print(datasette.__version__)"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == pinned
