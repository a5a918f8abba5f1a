# The portal's commands. A newcomer needs two: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8001
SCALE ?= small
export PORT
# Record tables (their sample, row order and pseudonyms) need the secret key in $$PORTAL_PSEUDONYM_KEY or the file
# named by $$PORTAL_PSEUDONYM_KEY_FILE; `make key` writes one (docs/keys.md). Without a configured key the build uses
# the public development key, which it accepts only for datasets marked synthetic.
DEVELOPMENT_KEY := DEVELOPMENT-ONLY-not-secret-sample-build-key-0001
SAMPLE_KEY := $(if $(PORTAL_PSEUDONYM_KEY)$(PORTAL_PSEUDONYM_KEY_FILE),,PORTAL_PSEUDONYM_KEY=$(DEVELOPMENT_KEY))

.PHONY: help setup run test build serve sample sample-if-missing rollback bench clean messages messages-update

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# The pins first, then the portal itself as an editable package (pyproject.toml): its plugins reach Datasette through
# their entry point. --no-deps: pip installs nothing that requirements.txt does not pin.
$(INSTALLED): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(INSTALLED)

setup: $(INSTALLED) ## Create .venv, install the pinned dependencies and the portal's package

run: setup sample-if-missing build serve ## Set up, generate the sample if missing, build, serve on 127.0.0.1:$(PORT)

test: setup ## Lint and check the formatting with ruff (pyproject.toml), then run the whole test suite
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

build: setup ## Republish every approved dataset from data/ as a new release in build/
	$(SAMPLE_KEY) $(PY) -m scripts.build.pipeline

# One worker per core behind nginx (docs/cluster.md), or one process without nginx or with NGINX=off.
WORKERS ?=
NGINX ?=
serve: setup ## Serve the current release on every core (WORKERS= overrides; one process without nginx)
	$(PY) -m scripts.serve.workers --port $(PORT) $(if $(WORKERS),--workers '$(WORKERS)') $(if $(NGINX),--nginx '$(NGINX)')

.PHONY: serve-restart
serve-restart: setup ## Restart the running `make serve`'s workers one by one (after a change to the code)
	$(PY) -m scripts.serve.workers --restart

messages: setup ## Check that every marked string of the pages has a translation in each catalogue (locale/)
	$(PY) -m scripts.ops.messages check

messages-update: setup ## Add new marked strings to each catalogue (untranslated) and drop unused ones
	$(PY) -m scripts.ops.messages update

# Several Datasette replicas behind nginx (scripts/serve/cluster/), moved to each new release one by one; nginx's files
# live in build/cluster/. nginx is Debian's package: cluster-setup installs it when run as root.
REPLICAS ?= 2
.PHONY: cluster-setup serve-cluster bench-cluster

cluster-setup: setup ## Install nginx for serve-cluster if it is missing (Debian's package; needs root)
	$(PY) -m scripts.serve.cluster.setup

serve-cluster: cluster-setup ## Serve the current release with REPLICAS=2 replicas behind nginx on 127.0.0.1:$(PORT)
	$(PY) -m scripts.serve.cluster.supervisor --port $(PORT) --replicas $(REPLICAS)

bench-cluster: cluster-setup ## Requests/second with 1 and REPLICAS replicas, the restart gap, 20 rolling releases under load; into docs/benchmarks.md
	$(PY) -m scripts.serve.cluster.bench --replicas $(REPLICAS)

sample: setup ## Regenerate the synthetic raw extracts in data/raw (SCALE=small|province)
	$(PY) -m scripts.sample --scale $(SCALE) --out data/raw
	$(PY) -m scripts.sample.version mark data/raw $(SCALE)

# Generated again, at the scale it had, when the generator has changed since (scripts/sample/version.py).
sample-if-missing: setup
	$(PY) -m scripts.sample.version check data/raw || $(MAKE) sample SCALE=$$($(PY) -m scripts.sample.version scale data/raw)

# The benchmark runs at province scale unless SCALE is given on the command line or in the environment; a quick
# run (SCALE=small) writes build/bench-small/benchmarks.md and leaves docs/benchmarks.md alone.
bench: setup ## Time the build and the served portal against plain pandas and default Datasette (SCALE=province|small)
	$(PY) -m scripts.bench --scale $(if $(filter file,$(origin SCALE)),province,$(SCALE))

# A new dataset's spec, drafted from its delivered file with a suggested role per column; the build refuses it until
# every role is confirmed (docs/manifest.md).
.PHONY: spec
spec: setup ## Draft data/specs/ID.yml from a delivered file: SOURCE=data/raw/file.csv ID=dataset_id (FORCE=1 overwrites)
	$(PY) -m scripts.ops.draft_spec --source '$(SOURCE)' --id '$(ID)' $(if $(filter 1 yes true,$(FORCE)),--force)

rollback: setup ## Make the release that was current before current again
	$(PY) -m scripts.ops.rollback

# A new secret key of 256 random bits, mode 0600, outside the repository; never overwrites one (docs/keys.md).
# KEY_FILE defaults to ~/.config/open-data-portal/pseudonym.key.
.PHONY: key
key: setup ## Write a new secret key to a private file outside the repository (KEY_FILE= overrides the path)
	$(PY) -m scripts.ops.keygen $(KEY_FILE)

clean: ## Remove builds and generated samples (keeps .venv)
	rm -rf build data/raw

# Partner-agency API tokens for the restricted tier (docs/restricted-tier.md). The tokens database lives outside
# build/: $PORTAL_TOKENS_DB, default ~/.local/state/open-data-portal/tokens.db.
.PHONY: token-create token-list token-revoke

token-create: setup ## Issue a token, printed once: AGENCY="Sở Y tế" DATASETS=health_records,tax_records (or '*') EXPIRES=YYYY-MM-DD
	$(PY) -m scripts.ops.tokens create --agency "$(AGENCY)" --datasets '$(DATASETS)' --expires "$(EXPIRES)"

token-list: setup ## List the tokens (agency, datasets, dates, status, last use; never the secrets)
	$(PY) -m scripts.ops.tokens list

token-revoke: setup ## Revoke a token at once: ID=3
	$(PY) -m scripts.ops.tokens revoke "$(ID)"

# The container image of the current release, for deploy/k8s (docs/containers.md). IMAGE is the repository to tag;
# IMAGE_TAG defaults to <release>-<commit>. No `setup`: the helper needs only Python's standard library and Docker.
IMAGE ?= open-data-portal
DOCKER ?= docker
.PHONY: image

image: ## Build the container image of the current release: IMAGE=registry.example.gov.vn/open-data-portal
	$(PYTHON) -m scripts.ops.image --image '$(IMAGE)' --docker '$(DOCKER)' $(if $(IMAGE_TAG),--tag '$(IMAGE_TAG)')

# The public's requests (/yeu-cau/gui): a SQLite file outside build/, $PORTAL_REQUESTS_DB, default var/requests.db
# (docs/operations.md). ID and ANSWER reach the command through the environment, so quotes in an answer are kept.
.PHONY: requests request-answer

requests: setup ## List the public's requests, those waiting for an answer first (with name and e-mail, for admins)
	$(PY) -m scripts.ops.requests_admin list

request-answer: setup ## Answer a request and close it; it is published without name or e-mail: ID=3 ANSWER="..."
	$(PY) -m scripts.ops.requests_admin answer "$${ID-}" "$${ANSWER-}"
