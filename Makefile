# Set-up and the two jobs of the README. Everything lives in .venv inside the checkout.
VENV ?= .venv
PY := $(VENV)/bin/python
PLUGINS := $(sort $(wildcard plugins/*))
STAMP := $(VENV)/.installed

.PHONY: setup demo test clean

setup: $(STAMP)

$(STAMP): pyproject.toml cli/pyproject.toml $(wildcard plugins/*/pyproject.toml)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this machine (a plain "torch" pulls the CUDA build)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,bohb,plot,onnx]" -e ./cli $(addprefix -e ./,$(PLUGINS))
	touch $(STAMP)

# The main job: regularized evolution on the NB201 table (needs NAS_DATA_DIR or ../shared/data).
demo: setup
	NAS_DATA_DIR=$${NAS_DATA_DIR:-../shared/data} $(VENV)/bin/nas search --plugin evolution \
		--benchmark nb201 --dataset cifar10 --budget 12000s --storage runs/demo-$$(date +%s).db

test: setup
	NAS_DATA_DIR=$${NAS_DATA_DIR:-$(CURDIR)/../shared/data} $(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) runs
