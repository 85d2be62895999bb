# CamemBERT → ONNX export for the Junior encoder (docs/models/camembert-export.md).
# Needs the Hugging Face hub: run it where huggingface.co is reachable, or MODEL=<local dir>.
# Variables are read with defaults inside the recipes so other mk files' MODEL/OUT stay theirs.
EXPORT_MODEL = $(or $(MODEL),camembert-base)
EXPORT_OUT = $(or $(OUT),apps/junior/models/camembert)
EXPORT_QUANTIZE = $(if $(filter 0 no false,$(QUANTIZE)),,--quantize)

.PHONY: export-junior-models test-export bench-export

export-junior-models: venv ## export MODEL (default camembert-base) to ONNX fp32+int8 in OUT (default apps/junior/models/camembert)
	@echo "exporting $(EXPORT_MODEL) -> $(EXPORT_OUT) (needs hub access unless MODEL is a local dir)"
	@HF_HUB_DISABLE_TELEMETRY=1 $(PY) -m apps.junior.tooling.export --model "$(EXPORT_MODEL)" \
	  --out "$(EXPORT_OUT)" $(EXPORT_QUANTIZE) $(if $(REVISION),--revision "$(REVISION)") || { rc=$$?; \
	  if [ $$rc -eq 2 ]; then echo ""; \
	    echo "Nothing exported. This machine cannot fetch '$(EXPORT_MODEL)'. Either:"; \
	    echo "  - run 'make export-junior-models MODEL=$(EXPORT_MODEL)' on a machine with hub access"; \
	    echo "    and copy $(EXPORT_OUT)/ here (keep manifest.json), or"; \
	    echo "  - pass MODEL=/path/to/a/save_pretrained/dir (config.json, weights, tokenizer)."; \
	    echo "The Junior image builds without it; JUNIOR_ENCODER=camembert then fails at start-up."; \
	  fi; exit $$rc; }
	@echo "done: JUNIOR_ENCODER=camembert JUNIOR_CAMEMBERT_MODEL_DIR=$(EXPORT_OUT) selects it"

test-export: venv ## the CamemBERT export tests alone (tiny model built in the test, no hub, no database)
	$(PY) -m pytest tests/junior/test_export_camembert.py -q

bench-export: venv ## time export + encoder on a random camembert-base-shaped model (SIZE=base|tiny, ~2 min, 2.5 GB RAM)
	@uptime
	$(PY) -m apps.junior.tooling.export.bench --size $(or $(SIZE),base) --threads $(or $(THREADS),2)
