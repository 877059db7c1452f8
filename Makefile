# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-clock-ahead prometheus-server lint typecheck bench golden demo derived clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The main job on the bundled demo organisation. The demo has deliberate
# violations, so exit code 1 (controls failing) is the expected outcome here.
run: $(VENV)/.installed
	$(BIN)/auditor run --out-dir out || [ $$? -eq 1 ]

test: $(VENV)/.test-installed prometheus-server
	$(BIN)/ruff check auditor tests bench
	$(BIN)/mypy auditor
	$(BIN)/auditor policies test
	$(BIN)/pytest -n auto -q

# The whole suite again with the clock of every process it starts five years ahead (libfaketime
# preloads into each child): a test that reads the wall clock fails here. CI runs it after `test`.
CLOCK_AHEAD ?= +1826d
test-clock-ahead: $(VENV)/.test-installed prometheus-server
	@command -v faketime >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && apt-get install -y -qq faketime) >/dev/null; } \
	  || { echo "test-clock-ahead needs faketime (Debian: apt-get install faketime)" >&2; exit 2; }
	faketime -f '$(CLOCK_AHEAD)' $(BIN)/python -c 'import datetime, sys; d = datetime.date.today(); print("clock ahead:", d); \
	  sys.exit(0 if d.year > int(sys.argv[1]) else "faketime did not move the clock")' "$$(date +%Y)"
	faketime -f '$(CLOCK_AHEAD)' $(BIN)/pytest -n auto -q -p no:cacheprovider

# tests/collect/test_prometheus.py starts a real Prometheus server on loopback; install Debian's package
# when missing and we are root (the tests skip, saying why, where it cannot be installed).
prometheus-server:
	@command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends prometheus) >/dev/null; } \
	  || echo "prometheus not installed (Debian: apt-get install prometheus): its collector tests will skip" >&2

lint: $(VENV)/.test-installed
	$(BIN)/ruff check auditor tests bench
	$(BIN)/mypy auditor

# Regenerate golden files (reviewed like code: `git diff tests/fixtures/golden`).
golden: $(VENV)/.test-installed
	$(BIN)/python -m tests.golden

# Regenerate the demo organisation (deterministic; tests/test_demo.py checks the committed
# files match). Privacy/AI first: the SOD/security generator reads its data_stores.json; the
# service generator reads deployments.json; the AWS generator last: it reads access_grants,
# identities, audit_trails and data_stores to list what SEC-009..018 and PRIV-006 find.
demo:
	$(PYTHON) evidence/examples/generate_demo_privacy_ai.py
	$(PYTHON) evidence/examples/generate_demo_sod_security.py
	$(PYTHON) evidence/examples/generate_demo_service.py
	$(PYTHON) evidence/examples/generate_demo_aws.py

# Everything derived from the library and the demo generators, after adding or changing a control:
# the demo evidence and its VIOLATIONS-*.md expectations, then the golden files. Review `git diff`.
# (docs/authoring.md, "Adding a control to the bundled library")
derived: $(VENV)/.test-installed
	$(MAKE) demo PYTHON=$(BIN)/python
	$(MAKE) golden

bench: $(VENV)/.installed
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/ci_step.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .mypy_cache
