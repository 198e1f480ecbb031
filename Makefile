# Set-up and the two jobs of the README. Everything lives in .venv inside the checkout.
VENV ?= .venv
PY := $(VENV)/bin/python
PLUGINS := $(sort $(wildcard plugins/*))
DATA := $(sort $(wildcard data/*))
STAMP := $(VENV)/.installed

.PHONY: setup demo test clean

setup: $(STAMP)

$(STAMP): pyproject.toml cli/pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard data/*/pyproject.toml)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this machine (a plain "torch" pulls the CUDA build)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,bohb,plot,onnx,graph,dask,nb201]" -e ./cli $(addprefix -e ./,$(PLUGINS) $(DATA))
	touch $(STAMP)

# The main job: regularized evolution over MLPs on the bundled digits data, 150 s of training.
demo: setup
	$(VENV)/bin/nas search --plugin evolution --space mlp --dataset digits --budget 150s \
		--train-epochs 60 --train-weight-decay 1e-4 --train-repeats 2 --mlp-max-layers 4 \
		--storage runs/demo-$$(date +%Y%m%d-%H%M%S).db

# The NB201 tables ship in data/nas-tables-nb201; where the raw tables lie beside the checkout, a
# test also checks that the shipped copy equals them.
test: setup
	NAS_RAW_DATA_DIR=$${NAS_RAW_DATA_DIR:-$(wildcard $(CURDIR)/../shared/data)} $(VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) runs
