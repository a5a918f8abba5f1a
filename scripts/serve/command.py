"""How the portal is served: one definition used by `make serve`, the tests and the benchmark.

A release with a restricted.db is served with its restricted tier: restricted.db immutable like portal.db, the
tokens database mutable (a revocation is seen at the next request) and the metadata that locks the tier, merged
at serve time because the tokens database is machine state, not build output. Never `--crossdb`: keeping the
restricted tables in their own file is what puts them out of reach of SQL on the public database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scripts.serve import restricted_tier

ROOT = Path(__file__).resolve().parents[2]
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


def _release_metadata(release: Path) -> dict:
    return json.loads((release / "metadata.json").read_text(encoding="utf-8"))


def _databases(release: Path, tier: restricted_tier.Tier | None) -> tuple[list[Path], list[Path]]:
    """The immutable and the mutable database files to mount."""
    immutable = [release / name for name in DATABASES]
    return (immutable + [tier.restricted], [tier.tokens]) if tier else (immutable, [])


def command(release: Path, host: str = "127.0.0.1", port: int = 8001, tokens: Path | None = None) -> list[str]:
    """The `datasette serve` command line for a release (with a restricted tier, its metadata file is written), run
    by scripts/serve/datasette_server.py: no server header, X-Forwarded-For believed only as the rate limiter says."""
    tier = restricted_tier.tier(release, tokens)
    immutable, mutable = _databases(release, tier)
    metadata = restricted_tier.metadata_file(_release_metadata(release), tier) if tier else release / "metadata.json"
    args = [sys.executable, "-m", "scripts.serve.datasette_server", "serve", *map(str, mutable)]
    for path in immutable:
        args += ["-i", str(path)]
    args += [
        "--inspect-file",
        str(release / "inspect.json"),
        "--metadata",
        str(metadata),
        "--template-dir",
        str(ROOT / "templates"),
        "--static",
        f"static:{ROOT / 'static'}",
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return args


def app(release: Path, tokens: Path | None = None):
    """The same portal as a Datasette object, for the test client."""
    from datasette.app import Datasette

    tier = restricted_tier.tier(release, tokens)
    immutable, mutable = _databases(release, tier)
    metadata = _release_metadata(release)
    return Datasette(
        files=[str(path) for path in mutable],
        immutables=[str(path) for path in immutable],
        inspect_data=json.loads((release / "inspect.json").read_text()),
        metadata=restricted_tier.served_metadata(metadata, tier) if tier else metadata,
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings=SETTINGS,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8001")))
    args = parser.parse_args(argv)
    release = release_dir(args.build)
    line = command(release, args.host, args.port)
    print(f"serving release {release.name} on http://{args.host}:{args.port}/", flush=True)
    if (release / f"{restricted_tier.RESTRICTED_DATABASE}.db").exists():
        print(f"restricted tier on: tokens from {line[line.index('serve') + 1]}", flush=True)
    os.execv(line[0], line)


if __name__ == "__main__":
    main()
