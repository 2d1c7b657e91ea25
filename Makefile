# Probono. `make run` and `make test` set everything up on a machine with Python 3.11 and make.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in e-mails and calendar files of `make run` point at the port it serves (an explicit SITE_URL wins).
RUN_SITE_URL := $(or $(SITE_URL),http://127.0.0.1:$(PORT))
PG_URL ?= postgres://postgres@127.0.0.1:5432/probono
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: lock run serve test test-postgres test-processes e2e lint messages makemessages bench bench-load bench-faults bench-scaleout clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs come from the hashed locks (every transitive package pinned); `make lock` rebuilds them from
# the direct pins in requirements*.txt.
$(VENV)/.run-installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-installed: requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.run-installed

lock: $(VENV)/.dev-installed
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock requirements.txt
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements-dev.lock requirements-dev.txt

messages: $(VENV)/.run-installed
	@DEBUG=true $(BIN)/python manage.py compiletranslations

run: $(VENV)/.run-installed messages
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true SITE_URL=$(RUN_SITE_URL) $(BIN)/python manage.py demo_data
	@echo ""
	@echo "  Probono is running at http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the task worker)"
	@echo ""
	@DEBUG=true SITE_URL=$(RUN_SITE_URL) exec $(BIN)/python -m config.launcher run --port $(PORT)

# Production-like on one machine: DEBUG off, gunicorn with WEB_CONCURRENCY workers and one task cluster, JSON-line
# logs on stdout. Needs SECRET_KEY and ALLOWED_HOSTS (and DATABASE_URL/REDIS_URL for PostgreSQL + Redis).
WEB_CONCURRENCY ?= 2
HOST ?= 127.0.0.1
serve: $(VENV)/.run-installed messages
	DEBUG=false $(BIN)/python manage.py migrate --noinput
	DEBUG=false $(BIN)/python manage.py collectstatic --noinput -v 0
	@DEBUG=false LOG_FORMAT=$(or $(LOG_FORMAT),json) WEB_CONCURRENCY=$(WEB_CONCURRENCY) \
		exec $(BIN)/python -m config.launcher serve --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
define pytest_strict
	$(BIN)/pytest $(1); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest ran no tests: failing"; exit 1; fi; exit $$rc
endef

test: $(VENV)/.dev-installed messages
	@$(call pytest_strict,$(PYTEST_ARGS))

test-postgres: $(VENV)/.dev-installed messages
	@DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) CONN_MAX_AGE=0 $(call pytest_strict,$(PYTEST_ARGS))

# Real process trees: make run/serve and the launcher started and stopped (10 cycles each) and the backups, on
# SQLite; then make serve and pg_dump/pg_restore on PostgreSQL + Redis. Minutes, not seconds, so not part of
# make test; .ci/run runs it.
test-processes: $(VENV)/.dev-installed messages
	@$(call pytest_strict,-o addopts="-p no:cacheprovider --strict-markers" -m processes tests $(PYTEST_ARGS))
	@DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) CONN_MAX_AGE=0 $(call pytest_strict,-o addopts="-p no:cacheprovider --strict-markers" -m processes tests/serving/test_serve.py tests/serving/test_backups.py $(PYTEST_ARGS))

e2e: $(VENV)/.dev-installed messages
	@$(call pytest_strict,-o addopts="-p no:cacheprovider" -m e2e tests/e2e --screenshot only-on-failure --output var/test-results $(PYTEST_ARGS))

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

makemessages: $(VENV)/.dev-installed
	DEBUG=true $(BIN)/python manage.py makemessages -l sv -l da --no-obsolete --no-location -i ".venv/*" -i "var/*" -i "bench/*"

clean:
	rm -rf $(VENV) var staticfiles

# --- Benchmark, load and fault scripts (bench/; never part of make test) ------------------------------
BENCH_ARGS ?=
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/probono_bench
LOAD_SECONDS ?= 60

bench: $(VENV)/.dev-installed messages
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-load: $(VENV)/.dev-installed messages
	$(BIN)/python -m bench.load --seconds $(LOAD_SECONDS)
	DATABASE_URL=$(BENCH_PG_URL) $(BIN)/python -m bench.load --seconds $(LOAD_SECONDS)

bench-faults: $(VENV)/.dev-installed messages
	$(BIN)/python -m bench.faults $(BENCH_ARGS)

# Two gunicorns on two ports and two task clusters against one PostgreSQL + Redis, one cluster SIGKILLed mid-run.
SCALEOUT_REDIS_URL ?= redis://127.0.0.1:6379/0
bench-scaleout: $(VENV)/.dev-installed messages
	$(BIN)/python -m bench.scaleout --database-url $(BENCH_PG_URL) --redis-url $(SCALEOUT_REDIS_URL) $(BENCH_ARGS)
