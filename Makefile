# The two commands a newcomer runs: `make demo` and `make test`. Both do their own setup.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint stack-up stack-down accuracy bench faults clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/newsflow warm
	touch $(STAMP)

install: $(STAMP)

## demo: stack up, a worker, the demo corpus fed, counts and a sample search printed
demo: $(STAMP)
	$(BIN)/newsflow stack up
	$(BIN)/python -m newsflow_tools.demo

## test: the whole suite; starts Kafka + Elasticsearch when they are not running, stops what it started
test: $(STAMP)
	$(BIN)/ruff check streams newsflow_tools tests
	$(BIN)/pytest

## faults: the fault suite alone (malformed input, worker/broker/Elasticsearch SIGKILLs), its table printed
faults: $(STAMP)
	$(BIN)/python -m tests.faults

lint: $(STAMP)
	$(BIN)/ruff check streams newsflow_tools tests
	$(BIN)/ruff format --check streams newsflow_tools tests
	$(BIN)/mypy

stack-up: $(STAMP)
	$(BIN)/newsflow stack up

stack-down: $(STAMP)
	$(BIN)/newsflow stack down

accuracy: $(STAMP)
	$(BIN)/python -m newsflow_tools.quality.langid
	$(BIN)/python -m newsflow_tools.quality.ner --lang all
	$(BIN)/python -m newsflow_tools.quality.dedup

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
