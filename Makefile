# Every target bootstraps itself: a fresh machine needs only python3.11 (or python3 >= 3.11) and network to PyPI.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
STAMP := $(VENV)/.installed

.PHONY: install demo test bench peers clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark,bench]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m unspun.demo --data $(DATA) --out report.html

test: install
	$(BIN)/python -m pytest -q

# Peers measured beside unspun by `make bench`: text-dedup pins its own numpy/pyarrow/datasets, so it gets its
# own venv (datasketch, the other peer, is installed in unspun's own, its `bench` extra).
peers: .peers/.installed

.peers/.installed:
	test -x .peers/bin/python || $(PYTHON) -m venv .peers
	.peers/bin/python -m pip install --quiet text-dedup
	touch $@

bench: install peers
	$(BIN)/python bench/pan.py --data $(DATA) --jobs 2 --results bench/results
	$(BIN)/python bench/retrieval.py --data $(DATA) --jobs 2 --results bench/results --db /tmp/unspun-bench-retrieval
	$(BIN)/python bench/retrieval.py --data $(DATA) --jobs 2 --results bench/results --db /tmp/unspun-bench-semantic --semantic
	# test data for the cross-language bench: Apertium, a GPL translator called as an external program
	command -v apertium >/dev/null || { apt-get update -qq && apt-get install -y -qq apertium apertium-eng-spa; } \
		|| { sudo -n apt-get update -qq && sudo -n apt-get install -y -qq apertium apertium-eng-spa; } \
		|| echo "bench: could not install apertium; bench/crosslingual.py will skip"
	$(BIN)/python bench/crosslingual.py --data $(DATA) --results bench/results
	$(BIN)/python bench/roundtrip.py --data $(DATA) --results bench/results
	$(BIN)/python bench/pan25.py --data $(DATA) --results bench/results
	$(BIN)/python bench/clough.py --data $(DATA) --results bench/results
	$(BIN)/python bench/misses.py --data $(DATA) --db /tmp/unspun-bench-retrieval --every 2 --jobs 2 --results bench/results
	$(BIN)/python bench/embed.py --data $(DATA) --results bench/results
	$(BIN)/python bench/clusters.py --data $(DATA) --results bench/results --bbc --pan --peers --reuters --spark
	$(BIN)/python bench/load.py --db /tmp/unspun-bench-retrieval --clients 8 --seconds 60 --results bench/results
	$(BIN)/python bench/long.py --data $(DATA) --results bench/results

clean:
	rm -rf $(VENV) .peers *.egg-info report.html out demo.unspun demo-example
