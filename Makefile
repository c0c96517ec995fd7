# Two entry points for a new user; both create .venv when missing and are safe to re-run.
.PHONY: run test setup lint browser

setup:
	@bash scripts/setup.sh

# The main job, end to end on the generated demo data.
run: setup
	.venv/bin/cxtext demo --out out/demo

# Lint, type-check and the whole test suite (with chromium for the dashboard's test).
test: setup browser lint
	.venv/bin/python -m pytest

browser:
	@bash scripts/browser.sh

lint: setup
	.venv/bin/ruff check cxtext api tests training
	.venv/bin/mypy cxtext api
