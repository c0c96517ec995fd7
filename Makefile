# Two entry points for a new user; both create .venv when missing and are safe to re-run.
.PHONY: run test setup lint browser test-one-thread

setup:
	@bash scripts/setup.sh

# The main job, end to end on the generated demo data.
run: setup
	.venv/bin/cxtext demo --out out/demo

# Lint, type-check, the theme and tagging tests on one thread (BLAS, numba, torch and
# onnxruntime then sum in another order: the tests assert properties that hold under
# either setting), then the whole test suite (with chromium for the dashboard's test).
test: setup browser lint test-one-thread
	.venv/bin/python -m pytest

ONE_THREAD = CXTEXT_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1
test-one-thread: setup
	$(ONE_THREAD) .venv/bin/python -m pytest -q -p no:cacheprovider tests/themes/test_train.py \
		tests/themes/test_stability.py tests/themes/test_unique_labels.py tests/test_pipeline.py

browser:
	@bash scripts/browser.sh

lint: setup
	.venv/bin/ruff check cxtext api tests training
	.venv/bin/mypy cxtext api
