# The seed dictionary dump (data/lsf_app_dump.sql.gz): see data/README.md.
.PHONY: dump dump-check

dump: venv ## rebuild data/lsf_app_dump.sql.gz + manifest + senses index from Lexique, Manulex, the Wiktionnaire and data/curation
	$(PY) -m data.build

dump-check: venv ## fail if the committed dump differs from what `make dump` would build
	$(PY) -m data.build --check --quiet
