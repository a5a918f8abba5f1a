"""Build the container image of the current release (`make image`): deploy/container/Dockerfile, docs/containers.md.

Standard library only, so that a build machine needs Docker and Python but not the portal's virtualenv.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from scripts.build.publish.release import current_release

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = Path("deploy/container/Dockerfile")  # relative to ROOT, the build context
RELEASE_ARG = "RELEASE"  # the Dockerfile's ARG naming the directory of build/releases/ to bake
DOCKER_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# What goes into the image besides the release: a change there makes the image differ from its commit.
IMAGE_SOURCES = ("plugins", "templates", "static", "scripts", "deploy/container")


def release_name(build_dir: Path) -> str:
    """The release `make serve` serves: build/current resolved, which the Dockerfile finds in build/releases/."""
    release = current_release(build_dir)
    if release is None:
        raise SystemExit(f"{build_dir}: nothing has been published yet; run `make build` first")
    if release.parent != (build_dir / "releases").resolve():
        raise SystemExit(f"{build_dir}/current points outside {build_dir}/releases: {release}")
    return release.name


def default_tag(release: str) -> str:
    """<release>-<commit>: a new release or new code gets a new tag, so a tag is never reused for other bytes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *IMAGE_SOURCES], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise SystemExit("make image: not a git checkout; name the image's tag with IMAGE_TAG=...") from None
    return f"{release}-{commit}" + ("-dirty" if changed else "")


def command(docker: str, image: str, tag: str, release: str) -> list[str]:
    """The build command, run from the repository root."""
    return [
        docker,
        "build",
        "--file",
        str(DOCKERFILE),
        "--build-arg",
        f"{RELEASE_ARG}={release}",
        "--tag",
        f"{image}:{tag}",
        ".",
    ]


def check_docker(docker: str) -> None:
    """Fail with a message that says what is missing, before a long build starts."""
    if shutil.which(docker) is None:
        raise SystemExit(
            f"make image: `{docker}` is not installed; install Docker 23 or later (BuildKit) or set DOCKER=podman"
        )
    info = subprocess.run([docker, "info"], capture_output=True, text=True)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        raise SystemExit(f"make image: `{docker}` cannot reach its daemon ({reason}); start it and try again")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.ops.image", description=__doc__)
    parser.add_argument("--image", default="open-data-portal", help="repository to tag, e.g. registry/name")
    parser.add_argument("--tag", help="default: <release>-<commit>")
    parser.add_argument("--docker", default="docker", help="docker, or podman")
    parser.add_argument("--print", action="store_true", help="print the build command instead of running it")
    args = parser.parse_args(argv)
    release = release_name(ROOT / "build")
    tag = args.tag or default_tag(release)
    if not DOCKER_TAG.fullmatch(tag):
        raise SystemExit(f"make image: {tag!r} is not a valid image tag (letters, digits, _ . -; at most 128)")
    line = command(args.docker, args.image, tag, release)
    if args.print:
        print(shlex.join(line))
        return
    check_docker(args.docker)
    # The Dockerfile needs BuildKit (COPY --chmod); Docker's legacy builder would fail halfway with a vaguer error.
    built = subprocess.run(line, cwd=ROOT, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    if built.returncode != 0:
        raise SystemExit(built.returncode)
    print(f"built {args.image}:{tag} from release {release}; push it, then set it in deploy/k8s/kustomization.yaml")


if __name__ == "__main__":
    main()
