# Set-up and the two jobs of the README. Everything lives in .venv inside the checkout.
VENV ?= .venv
PY := $(VENV)/bin/python
PLUGINS := $(sort $(wildcard plugins/*))
DATA := $(sort $(wildcard data/*))
STAMP := $(VENV)/.installed

.PHONY: setup demo test clean constraints

setup: $(STAMP)

$(STAMP): constraints.txt pyproject.toml cli/pyproject.toml dashboard/pyproject.toml $(wildcard plugins/*/pyproject.toml) $(wildcard data/*/pyproject.toml)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel on this machine (a plain "torch" pulls the CUDA build)
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test,bohb,plot,onnx,graph,dask,nb201]" -e ./cli -e "./dashboard[test]" \
		$(addprefix -e ./,$(PLUGINS) $(DATA))
	touch $(STAMP)

# The main job: regularized evolution over MLPs on the bundled digits data, 150 s of training.
demo: setup
	$(VENV)/bin/nas search --plugin evolution --space mlp --dataset digits --budget 150s \
		--train-epochs 60 --train-weight-decay 1e-4 --train-repeats 2 --mlp-max-layers 4 \
		--storage runs/demo-$$(date +%Y%m%d-%H%M%S).db

# The NB201 tables ship in data/nas-tables-nb201, so the tests need nothing beside the checkout.
# Set NAS_RAW_DATA_DIR to the raw tables' folder to also check the shipped copy equals them.
test: setup
	$(VENV)/bin/python -m pytest -q

# The exact versions the project is tested with, from the working venv: the distributions'
# metadata give ranges, this file what make and CI install. Local build labels (torch's +cpu)
# are dropped, so any build of a tested version satisfies it.
constraints:
	{ echo "# The versions nas is tested with: make constraints (from .venv) writes this file."; \
	  $(PY) -m pip freeze --exclude-editable | sed -E 's/\+[^ ]+$$//'; } > constraints.txt

clean:
	rm -rf $(VENV) runs
