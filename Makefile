# Every target bootstraps itself: a fresh machine needs only python3.11 (or python3 >= 3.11) and network to PyPI.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m unspun.demo --data $(DATA) --out report.html

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/pan.py --data $(DATA) --jobs 2 --results bench/results
	$(BIN)/python bench/retrieval.py --data $(DATA) --jobs 2 --results bench/results --db /tmp/unspun-bench-retrieval
	$(BIN)/python bench/clusters.py --data $(DATA) --results bench/results --bbc --pan --peers --reuters --spark
	$(BIN)/python bench/load.py --db /tmp/unspun-bench-retrieval --clients 8 --seconds 60 --results bench/results

clean:
	rm -rf $(VENV) *.egg-info report.html out demo.unspun
