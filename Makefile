# One command to run the bot, one to run the tests. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint install clean settings-docs lock try

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ledgerbot run

# The whole suite, one worker per core and one more (pytest-xdist): the end-to-end tests spend
# much of their time waiting for the bot, so a spare worker fills the cores (bench/README.md:
# 12 min 49 s with three workers on two cores, 16 min 57 s with two). Every worker has its own
# databases, files and ports. TEST_JOBS=0 runs it in this process (for a debugger, or -x on
# the first failure). The slowest tests are collected first (tests/conftest.py) and handed out
# at most two at a time, so that no worker holds a queue of long tests while another is idle.
TEST_JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))
CHECK_JOBS ?= auto
XDIST := --maxschedchunk 2
test: $(STAMP)
	$(BIN)/pytest -n $(TEST_JOBS) $(XDIST) $(PYTEST_ARGS)

# The inner loop: lint, types and the tests that need neither the bot process nor PostgreSQL.
check: lint
	$(BIN)/pytest -n $(CHECK_JOBS) $(XDIST) -q -m "not e2e" -k "not postgres" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# README's Settings table and .env.example, from config/settings.py (see README: Settings).
settings-docs: $(STAMP)
	$(BIN)/python -m ledgerbot.settings_docs

# requirements.lock: exact versions of the runtime dependencies installed in .venv (Dockerfile).
lock: $(STAMP)
	$(BIN)/python tools/lock.py > requirements.lock

# Try the bot without a real token: the Telegram double on port 8081, the bot pointed at it.
TRY_PORT ?= 8081
TRY_TOKEN ?= 123456789:try-the-bot-locally
TRY_DB ?= data/try.db
try: $(STAMP)
	@$(BIN)/python -m tests.telegram_double --port $(TRY_PORT) --token $(TRY_TOKEN) & \
	double=$$!; trap 'kill $$double' EXIT INT TERM; \
	LEDGERBOT_TELEGRAM_TOKEN=$(TRY_TOKEN) \
	LEDGERBOT_TELEGRAM_BASE_URL=http://127.0.0.1:$(TRY_PORT)/bot \
	LEDGERBOT_DATABASE_URL=sqlite+aiosqlite:///$(TRY_DB) \
	$(BIN)/ledgerbot run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
