# Every target sets up what it needs: the first run creates .venv and installs the project into it;
# later runs reuse it (the stamp is rebuilt only when pyproject.toml changes).
# (A clerk on Windows needs none of this: the README's Windows section installs with pip alone.)
ifeq ($(OS),Windows_NT)
PYTHON ?= py
BIN    := .venv/Scripts
else
PYTHON ?= python3
BIN    := .venv/bin
endif
VENV   := .venv
STAMP  := $(VENV)/.installed

INPUT  ?= input
OUTPUT ?= output

.PHONY: run test check lint format template example examples images bench dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the batch on the example round in input/
	$(BIN)/processor run --input $(INPUT) --output $(OUTPUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check processor tests scripts bench

format: $(STAMP)
	$(BIN)/ruff format processor tests scripts bench

check: $(STAMP)  ## lint, format check, tests
	$(BIN)/ruff check processor tests scripts bench
	$(BIN)/ruff format --check processor tests scripts bench
	$(BIN)/python -m pytest -q

template: $(STAMP)  ## rebuild the committed templates from the rubric
	$(BIN)/processor template --output templates

example: $(STAMP)  ## regenerate the example round in input/ from the template
	$(BIN)/python scripts/make_example_round.py $(INPUT)

examples: $(STAMP)  ## regenerate examples/threshold-county (a second county's rubric workbook and settings)
	$(BIN)/python scripts/make_examples.py

images: $(STAMP)  ## re-render the README's pictures from the example round (LibreOffice, Chromium)
	$(BIN)/python scripts/render_readme_images.py docs/images

dist: $(STAMP)  ## the offline bundle in dist/: wheels for Windows x64 and Linux x86_64, install.bat, install.sh
	$(BIN)/python -m scripts.bundle --dist dist

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

BENCH_SIZES ?= 15 1000 2000
BENCH_PDF ?= 2000
bench: $(STAMP)  ## speed and memory of `processor run` and `check` for BENCH_SIZES sheets, and the PDF of the BENCH_PDF round (e.g. make bench BENCH_SIZES="15 1000 2000 40000")
	$(BIN)/python bench/bench.py $(BENCH_SIZES) $(if $(BENCH_PDF),--pdf $(BENCH_PDF))
