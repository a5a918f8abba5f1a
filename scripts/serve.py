"""How the portal is served: one definition used by `make serve`, the tests and the benchmark."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASES = ("portal.db",)
# Limits that keep one heavy request from hurting everybody else; facet suggestions cost a query per column.
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "default_page_size": 100,
    "facet_time_limit_ms": 500,
    "suggest_facets": False,
    "allow_download": True,
    "default_cache_ttl": 300,
}


def release_dir(build_dir: Path) -> Path:
    """The release to serve, resolved once so that a running server never mixes two releases."""
    current = build_dir / "current"
    if not current.is_symlink():
        raise SystemExit(f"{build_dir}: nothing has been published yet; run `make build` first")
    return current.resolve()


def command(release: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The `datasette serve` command line for a release."""
    args = [sys.executable, "-m", "datasette", "serve"]
    for name in DATABASES:
        args += ["-i", str(release / name)]
    args += [
        "--inspect-file", str(release / "inspect.json"),
        "--metadata", str(release / "metadata.json"),
        "--plugins-dir", str(ROOT / "plugins"),
        "--template-dir", str(ROOT / "templates"),
        "--static", f"static:{ROOT / 'static'}",
        "--host", host,
        "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return args


def app(release: Path):
    """The same portal as a Datasette object, for the test client."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(release / name) for name in DATABASES],
        inspect_data=json.loads((release / "inspect.json").read_text()),
        metadata=json.loads((release / "metadata.json").read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings=SETTINGS,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8001)))
    args = parser.parse_args(argv)
    release = release_dir(args.build)
    print(f"serving release {release.name} on http://{args.host}:{args.port}/", flush=True)
    line = command(release, args.host, args.port)
    os.execv(line[0], line)


if __name__ == "__main__":
    main()
