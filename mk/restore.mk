# The restore job (jobs/db-restore, console script vocabulo-restore) and `make dev` (scripts/dev.py).
# `make help` lists the targets.

RESTORE_ARGS ?=
RESTORE_TESTS := tests/integration/test_restore.py tests/integration/test_restore_sources.py \
  tests/integration/test_restore_concurrency.py tests/integration/test_restore_dev.py \
  tests/integration/test_restore_sqlstream.py \
  tests/integration/test_roles.py tests/integration/test_tables.py \
  tests/integration/test_original_quiz_sql.py tests/unit/test_settings.py

.PHONY: restore test-restore dev-clean

restore: venv ## load a dump into the database of DATABASE_URL/PG* (RESTORE_ARGS="--dump PATH|URL --sha256 HEX --mode once|replace")
	$(VENV)/bin/vocabulo-restore --log-format text $(RESTORE_ARGS)

test-restore: venv ## the restore job's, roles' and make dev's tests against a throwaway PostgreSQL
	$(PY) scripts/pgserver.py run -- $(PY) -m pytest -q $(RESTORE_TESTS) $(PYTEST_ARGS)

dev-clean: ## delete make dev's local database and dev passwords (.dev/)
	@if [ -f .dev/pgdata/postmaster.pid ]; then echo "make dev is still running: stop it first"; exit 1; fi
	rm -rf .dev
