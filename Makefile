# Curator: one command to run the app, one to test it (see README.md).
# Every target sets up .venv on first use (venv, pip upgrade, editable install).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=

.PHONY: run test lint bench venv clean dist screenshots

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Curator needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Install a newer python3 or run: make PYTHON=python3.12 run")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/curator-app $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@if command -v desktop-file-validate >/dev/null; then desktop-file-validate packaging/curator.desktop; else echo "desktop-file-validate not installed: skipped (apt install desktop-file-utils)"; fi
	@if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net --explain packaging/io.github.curator.Curator.metainfo.xml; else echo "appstreamcli not installed: skipped (apt install appstream)"; fi

# The one-folder app in dist/curator/ (curator-app and curator; see packaging/README.md),
# checked by starting it offscreen with --self-test.
DIST_STAMP := $(VENV)/.dist-stamp

$(DIST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,dist]'
	@touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/curator.spec
	dist/curator/curator --version
	QT_QPA_PLATFORM=offscreen dist/curator/curator-app --self-test
	@du -sh dist/curator

# The README's pictures, rendered offscreen from a fresh demo workspace (your settings untouched).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshots docs/screenshots

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -o python_files='bench_*.py' -s -q $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
