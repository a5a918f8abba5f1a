"""The container image and Kubernetes manifests (deploy/) serve what `make serve` serves, checked without Docker.

The Dockerfile's COPY steps are replayed into a temporary directory and the image's command is run from there, so
a file the image forgets, or a command that drifts from `make serve`, fails here rather than in a cluster.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.request
from importlib import metadata
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.build.pipeline import build
from scripts.ops import image
from scripts.serve import command as serve
from scripts.serve import workers
from scripts.serve.loopback import serving

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / image.DOCKERFILE
K8S = ROOT / "deploy" / "k8s"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of a Dockerfile: comments dropped, continuation lines joined."""
    steps, pending = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not (pending or line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        steps.append((keyword.upper(), arguments.strip()))
        pending = ""
    return steps


STEPS = instructions(DOCKERFILE.read_text(encoding="utf-8"))


def only(keyword: str) -> str:
    values = [arguments for name, arguments in STEPS if name == keyword]
    assert len(values) == 1, f"expected one {keyword}, found {values}"
    return values[0]


CMD = json.loads(only("CMD"))  # exec form: no shell between the runtime and the server, signals reach it
ENV = dict(re.findall(r"(\w+)=(\S+)", " ".join(arguments for name, arguments in STEPS if name == "ENV")))
WORKDIR = Path(only("WORKDIR"))


def flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return {canonicalize_name(name): version for name, _, version in (line.partition("==") for line in lines if line)}


def manifests() -> dict[str, dict]:
    """Every Kubernetes object of deploy/k8s by kind (one of each)."""
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document.get("kind") != "Kustomization":
                assert document["kind"] not in objects, document["kind"]
                objects[document["kind"]] = document
    return objects


OBJECTS = manifests()
POD = OBJECTS["Deployment"]["spec"]["template"]["spec"]
PORTAL = next(container for container in POD["containers"] if container["name"] == "portal")


# --- the image: command, user, port --------------------------------------------------------------------------------


def test_the_image_runs_make_serve_s_single_process_with_only_the_host_and_build_directory_changed():
    # A container is one process (Kubernetes runs as many as it needs): the command `make serve NGINX=off` runs.
    single = workers.plan(Path("/build"), "127.0.0.1", 8001, 1, None).argv
    assert CMD[0] == "python" and CMD[1:3] == single[1:3] == ["-m", "scripts.serve.command"]
    make_flags = {word for word in single if word.startswith("--")}
    image_flags = {word for word in CMD if word.startswith("--")}
    assert make_flags == image_flags == {"--host", "--port", "--build"}
    assert flag(CMD, "--host") == "0.0.0.0"  # reachable from outside the container, unlike make serve's loopback
    assert Path(flag(CMD, "--build")) == WORKDIR / "build"


def test_one_port_everywhere_the_default_of_make_serve():
    port = int(flag(CMD, "--port"))
    assert (
        port
        == int(only("EXPOSE"))
        == int(re.search(r"^PORT \?= (\d+)$", (ROOT / "Makefile").read_text(), flags=re.M).group(1))
    )
    healthcheck = json.loads(only("HEALTHCHECK").split(" CMD ", 1)[1])
    assert f"http://127.0.0.1:{port}/-/health" in " ".join(healthcheck)
    ports = {entry["name"]: entry["containerPort"] for entry in PORTAL["ports"]}
    assert set(ports.values()) == {port}
    service_port = OBJECTS["Service"]["spec"]["ports"][0]["targetPort"]
    assert ports.get(service_port, service_port) == port
    for probe, path in [("readinessProbe", "/-/ready"), ("livenessProbe", "/-/health"), ("startupProbe", "/-/health")]:
        get = PORTAL[probe]["httpGet"]
        assert get["path"] == path and ports.get(get["port"], get["port"]) == port, probe


def test_the_image_runs_as_a_numeric_non_root_user_and_kubernetes_enforces_it():
    user, _, group = only("USER").partition(":")
    assert user.isdigit() and int(user) != 0 and (not group or group.isdigit())
    names = [name for name, _ in STEPS]
    assert names.index("USER") > max(i for i, name in enumerate(names) if name in ("RUN", "COPY")), "USER comes last"
    pod = POD["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] == int(user)
    for container in POD["containers"] + POD["initContainers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]


def test_kubernetes_runs_the_image_command_unchanged():
    assert "command" not in PORTAL and "args" not in PORTAL


def test_the_base_image_is_pinned_to_a_python_release_of_the_project_series():
    base = only("FROM")
    series = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert re.fullmatch(rf"python:{re.escape(series)}\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{{64}})?", base), base


# --- the image: dependencies ---------------------------------------------------------------------------------------

IMAGE_REQUIREMENTS = ROOT / "deploy" / "container" / "requirements.txt"


def closure(names) -> set[str]:
    """The installed distributions these need, their dependencies included (extras left out)."""
    seen, todo = set(), [canonicalize_name(name) for name in names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            for text in metadata.requires(name) or []:
                requirement = Requirement(text)
                if not requirement.marker or requirement.marker.evaluate({"extra": ""}):
                    todo.append(canonicalize_name(requirement.name))
    return seen


def test_the_image_installs_its_pins_from_requirements_txt_with_the_same_versions():
    everything, served = pins(ROOT / "requirements.txt"), pins(IMAGE_REQUIREMENTS)
    assert {name: everything.get(name) for name in served} == served
    # Whatever of requirements.txt the image gets as a dependency is pinned too, at the version the tests ran.
    assert closure(served) & set(everything) == set(served)
    # ... and installs exactly that file.
    assert ("COPY", "deploy/container/requirements.txt ./requirements.txt") in STEPS
    assert any(
        name == "RUN" and "pip install" in arguments and "-r requirements.txt" in arguments for name, arguments in STEPS
    )


def test_the_image_has_every_datasette_plugin_the_tests_run_with():
    installed = {canonicalize_name(entry.dist.name) for entry in metadata.entry_points(group="datasette")}
    ours = canonicalize_name(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"])
    assert ours in installed  # the portal's own plugins, through its entry point
    assert installed - {ours} <= closure(pins(IMAGE_REQUIREMENTS))
    # ... which the image installs from its own copy of the code, after the pins and without other dependencies.
    steps = [f"{name} {arguments}" for name, arguments in STEPS]
    install = next(i for i, step in enumerate(steps) if step.startswith("RUN pip install") and step.endswith(" -e ."))
    assert "--no-deps" in steps[install] and steps[install - 1] == "COPY pyproject.toml ./"
    assert install > max(i for i, step in enumerate(steps) if step.startswith(("COPY plugins/", "COPY scripts/")))


# --- the image: files --------------------------------------------------------------------------------------------


def fake_build(build_dir: Path) -> Path:
    """A build/ directory with one release of empty files (a restricted tier too), laid out like scripts/build/publish/release.py."""
    release = build_dir / "releases" / "0007"
    release.mkdir(parents=True)
    for name in ["portal.db", "restricted.db", "metadata.json", "inspect.json", "SHA256SUMS", "downloads/tasks.csv"]:
        (release / name).parent.mkdir(exist_ok=True)
        (release / name).write_text("{}" if name.endswith(".json") else "")
    (build_dir / "current").symlink_to("releases/0007")
    return build_dir


def image_tree(root: Path, build_dir: Path) -> Path:
    """The image's own files under `root`, from the Dockerfile's COPY steps and its build/current link; returns its
    WORKDIR. The build context is the repository, except that build/ is `build_dir`."""
    assert build_dir.name == "build"
    variables = {image.RELEASE_ARG: image.release_name(build_dir)}
    workdir = Path("/")
    for name, arguments in STEPS:
        if name == "WORKDIR":
            workdir = Path(arguments)
        elif name == "COPY":
            words = [
                re.sub(r"\$\{(\w+)\}", lambda match: variables[match.group(1)], word)
                for word in arguments.split()
                if not word.startswith("--")
            ]
            *sources, destination = words
            target = root / (workdir / destination).relative_to("/")
            into = destination.endswith("/") or len(sources) > 1
            for source in sources:
                context = build_dir.parent if source.startswith("build/") else ROOT
                matches = sorted(context.glob(source.rstrip("/")))
                assert matches or "*" in source, f"COPY {source}: not in the build context"
                for match in matches:
                    if match.is_dir():
                        shutil.copytree(
                            match, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                        )
                    else:
                        (target if into else target.parent).mkdir(parents=True, exist_ok=True)
                        shutil.copy(match, target / match.name if into else target)
        elif name == "RUN" and "build/current" in arguments:
            assert re.search(r'ln -s "releases/\$\{RELEASE\}" build/current', arguments), arguments
            (root / workdir.relative_to("/") / "build" / "current").symlink_to(f"releases/{variables['RELEASE']}")
    return root / workdir.relative_to("/")


def test_everything_the_image_code_imports_is_installed_in_the_image(tmp_path):
    app = image_tree(tmp_path / "image", fake_build(tmp_path / "build"))
    local = {path.stem for path in app.iterdir()} | {path.stem for path in (app / "plugins").iterdir()}
    installed = closure(pins(IMAGE_REQUIREMENTS))
    distributions = metadata.packages_distributions()
    missing = set()
    for path in app.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else ([node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            )
            for top in {name.split(".")[0] for name in names} - set(sys.stdlib_module_names) - local:
                if not {canonicalize_name(dist) for dist in distributions.get(top, [])} & installed:
                    missing.add(f"{path.relative_to(app)}: {top}")
    assert not missing, sorted(missing)


def test_the_image_serves_a_release_from_its_own_files_with_its_own_command(
    tmp_path, data_dir, portal_metadata, monkeypatch
):
    release, _ = build(data_dir, tmp_path / "build", portal_metadata)
    app = image_tree(tmp_path / "image", tmp_path / "build")
    baked = app / "build" / "current"
    assert sorted(path.relative_to(baked) for path in baked.rglob("*")) == sorted(
        path.relative_to(release) for path in release.rglob("*")
    )
    # Python run from the image's WORKDIR imports the image's copy of the code, which finds its plugins beside it.
    outside = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    found = subprocess.run(
        [sys.executable, "-c", "from scripts.serve import command; print(command.ROOT)"],
        cwd=app,
        env=outside,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found) == app

    def image_command(port: int) -> list[str]:
        argv = [sys.executable, *CMD[1:]]
        argv[argv.index("--host") + 1] = "127.0.0.1"  # the test machine is shared: stay on loopback
        argv[argv.index("--port") + 1] = str(port)
        argv[argv.index("--build") + 1] = str(tmp_path / "image" / Path(flag(CMD, "--build")).relative_to("/"))
        return argv

    monkeypatch.chdir(app)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("PORTAL_TOKENS_DB", str(tmp_path / "image" / ENV["PORTAL_TOKENS_DB"].lstrip("/")))
    with serving(image_command) as base:
        home = urllib.request.urlopen(base + "/").read().decode()
        stylesheet = re.search(r'href="(/static/portal\.[0-9a-f]+\.css)"', home)  # under its content's hash
        assert "Cổng dữ liệu mở" in home and stylesheet, home[:500]  # metadata, templates, static files
        for path in [stylesheet.group(1), "/portal/tasks.json", "/catalog.jsonld", "/downloads/tasks.csv"]:
            assert urllib.request.urlopen(base + path).status == 200, path
        # What the pod's probes ask (plugins/health.py), naming the baked release.
        for path in ["/-/health", "/-/ready"]:
            answer = json.load(urllib.request.urlopen(base + path))
            assert answer["status"] == "ok" and answer["release"] == release.name, answer


def test_serving_writes_only_to_the_state_directory_which_the_pod_mounts_writable(tmp_path):
    tokens = Path(ENV["PORTAL_TOKENS_DB"])
    state = tmp_path / tokens.parent.relative_to("/")
    release = serve.release_dir(fake_build(tmp_path / "build"))
    line = serve.command(release, tokens=state / tokens.name)
    written = [
        Path(word)
        for word in line
        if word.startswith("/")
        and not Path(word).is_relative_to(release)
        and not Path(word).is_relative_to(serve.ROOT)
        and word != sys.executable
    ]
    assert written and all(path.is_relative_to(state) for path in written), written
    # The image creates that directory for its user; the pod mounts an emptyDir there and /tmp, nothing else.
    user = only("USER").split(":")[0]
    assert any(
        name == "RUN" and f"-o {user}" in arguments and str(tokens.parent) in arguments for name, arguments in STEPS
    )
    volumes = {volume["name"]: volume for volume in POD["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in PORTAL["volumeMounts"]}
    assert set(mounts) == {"/tmp", str(tokens.parent)}
    assert all("emptyDir" in volumes[name] for name in mounts.values())


def test_the_tokens_secret_is_optional_and_copied_to_the_tokens_database_path():
    tokens = ENV["PORTAL_TOKENS_DB"]
    init = POD["initContainers"][0]
    secret = next(volume for volume in POD["volumes"] if "secret" in volume)
    secret_mount = next(mount for mount in init["volumeMounts"] if mount["name"] == secret["name"])
    assert secret["secret"]["optional"] is True and secret_mount["readOnly"] is True
    assert f"cp {secret_mount['mountPath']}/tokens.db {tokens}" in " ".join(init["command"])
    assert init["image"] == PORTAL["image"] and not init.get("env")


def test_the_build_context_sends_only_what_the_image_copies():
    patterns = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    assert patterns[0] == "*"
    included = {pattern[1:] for pattern in patterns if pattern.startswith("!")}
    sources = [
        word
        for name, arguments in STEPS
        if name == "COPY"
        for word in arguments.split()[:-1]
        if not word.startswith("--")
    ]
    for source in sources:
        assert any(source.rstrip("/") == path or source.startswith(path + "/") for path in included), source
    assert not included & {"data", "data/raw", ".venv", "build", "tests", "metadata.yml"}


def test_no_pseudonym_key_or_secret_in_the_image_or_the_manifests():
    texts = [DOCKERFILE.read_text()] + [path.read_text() for path in K8S.glob("*.yaml")]
    assert not any("PSEUDONYM" in text.upper() for text in texts)
    assert not [arguments for name, arguments in STEPS if name in ("ARG", "ENV") and "KEY" in arguments.upper()]


# --- Kubernetes: the objects fit together --------------------------------------------------------------------------


def test_selectors_and_the_autoscaler_point_at_the_deployment():
    deployment = OBJECTS["Deployment"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    assert OBJECTS["Service"]["spec"]["selector"] == selector
    assert OBJECTS["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == selector
    hpa = OBJECTS["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    # CPU utilisation is a share of the request, so there must be one; limits keep one pod from starving a node.
    assert {"cpu", "memory"} <= PORTAL["resources"]["requests"].keys() & PORTAL["resources"]["limits"].keys()


def test_a_release_rolls_out_without_losing_capacity_and_applying_does_not_fight_the_autoscaler():
    spec = OBJECTS["Deployment"]["spec"]
    assert spec["strategy"]["type"] == "RollingUpdate" and spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert "replicas" not in spec


def test_the_kustomization_lists_every_manifest_and_sets_the_release_image():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert [entry["name"] for entry in kustomization["images"]] == [PORTAL["image"]]
    assert image.DOCKER_TAG.fullmatch(str(kustomization["images"][0]["newTag"]))


# What `kubectl apply -k` reads: the resources and the image substitution of kustomization.yaml, no other feature.
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "images"}
# The oldest Kubernetes the manifests are meant for (autoscaling/v2 and policy/v1 are GA there) and the newest
# whose schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ["1.29", kubernetes_validate.latest_version()]


def kustomize(directory: Path) -> list[dict]:
    """The objects `kubectl kustomize` renders from the directory: every resource, each image set by `images`."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    assert set(kustomization) <= KUSTOMIZATION_KEYS, f"features this rendering leaves out: {set(kustomization)}"
    images = {entry["name"]: f"{entry['newName']}:{entry['newTag']}" for entry in kustomization.get("images", [])}
    objects = []
    for resource in kustomization["resources"]:
        objects += yaml.safe_load_all((directory / resource).read_text(encoding="utf-8"))
    for item in objects:
        pod = item.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            name = re.split(r"[:@]", container["image"], maxsplit=1)[0]
            container["image"] = images.get(name, container["image"])
    return objects


def invalid(item: dict, version: str) -> str | None:
    """Why the object is not valid for that Kubernetes version (its JSON schema, unknown fields refused), or None."""
    try:
        kubernetes_validate.validate(item, version, strict=True)
    except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as error:
        return f"{item['kind']} {item['metadata']['name']} on Kubernetes {version}: {error}"
    return None


def test_the_rendered_manifests_are_valid_kubernetes_objects_with_the_release_image():
    objects = kustomize(K8S)
    assert sorted(item["kind"] for item in objects) == sorted(OBJECTS)
    problems = [problem for item in objects for version in KUBERNETES_VERSIONS if (problem := invalid(item, version))]
    assert not problems, "\n".join(problems)
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"][0]
    pod = next(item for item in objects if item["kind"] == "Deployment")["spec"]["template"]["spec"]
    assert {container["image"] for container in pod["containers"]} == {
        f"{kustomization['newName']}:{kustomization['newTag']}"
    }


def test_the_validation_refuses_a_mistyped_or_misspelt_field():
    deployment = kustomize(K8S)[0]
    assert deployment["kind"] == "Deployment" and invalid(deployment, KUBERNETES_VERSIONS[-1]) is None
    port = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    port["containerPort"] = "eight thousand"
    assert "is not of type 'integer'" in invalid(deployment, KUBERNETES_VERSIONS[-1])
    port["containerPort"] = 8001
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    assert "'readinesProbe' was unexpected" in invalid(deployment, KUBERNETES_VERSIONS[-1])


# --- make image ----------------------------------------------------------------------------------------------------


def test_make_image_builds_the_dockerfile_for_the_current_release(tmp_path):
    release = image.release_name(fake_build(tmp_path / "build"))
    line = image.command("docker", "registry.example/portal", "0007-abc", release)
    assert line[:2] == ["docker", "build"] and line[-1] == "."
    assert (ROOT / flag(line, "--file")) == DOCKERFILE
    assert flag(line, "--build-arg") == f"{image.RELEASE_ARG}=0007" and only("ARG") == image.RELEASE_ARG
    assert flag(line, "--tag") == "registry.example/portal:0007-abc"
    assert re.fullmatch(r"0007-[0-9a-f]{12}(-dirty)?", image.default_tag(release))


def test_make_image_says_what_is_missing(tmp_path):
    with pytest.raises(SystemExit, match="make build"):
        image.release_name(tmp_path / "build")
    with pytest.raises(SystemExit, match="not installed"):
        image.check_docker(str(tmp_path / "no-docker-here"))
