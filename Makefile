# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SHARED ?= ../shared

.PHONY: run test install index eval bench lock tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: a CPU build; left to the resolver it would pull several GB of CUDA.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt torch
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# LAWS=path/to/statutes imports official texts first (optional).
index: install
	@if [ -n "$(LAWS)" ]; then $(BIN)/union-assistant kb import --no-build $(LAWS); fi
	$(BIN)/union-assistant index build $(if $(LAWS),,--if-missing)

run: index
	$(BIN)/union-assistant serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium (and a Chinese font, so screenshots are readable), the deployment test
# nginx and the backup tests pg_dump; installed when we may, the tests skip without them.
TEST_PACKAGES := chromium chromium-driver fonts-wqy-microhei nginx-light postgresql-client
tools:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . && \
	   command -v nginx >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1; } || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get install -y -qq $(TEST_PACKAGES) >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(TEST_PACKAGES) >/dev/null 2>&1)) \
		|| echo "chromium, a Chinese font, nginx or pg_dump not installed: some tests may be skipped"; }

test: install tools
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/python bench/eval_vs_baseline.py --laws $(SHARED)/corpus/laws --eval $(SHARED)/eval/dev.jsonl

# Regenerate the lock after changing dependencies (run on the reference machine).
lock: $(BIN)/python
	$(BIN)/pip freeze --exclude-editable | grep -v '^union-assistant' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache
