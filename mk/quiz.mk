# Quiz API: model training, tests and benchmark (apps/quiz, tests/quiz, bench/quiz_bench.py).
.PHONY: train-quiz test-quiz bench-quiz bench-quiz-writes bench eval-quiz-policy eval-quiz-bound

train-quiz: venv ## train the quiz model (seeded, ~30 s): ONNX + sha256 + docs/models/quiz.md
	$(PY) -m apps.quiz.training.train

test-quiz: venv ## the Quiz API tests only, against a throwaway PostgreSQL (~30 s)
	$(PY) scripts/pgserver.py run -- $(PY) -m pytest tests/quiz -q

bench-quiz: venv ## wrk (c8) on POST /get_recommendations, seed dump, 1 and 2 uvicorn workers, ~1 min; updates docs/benchmarks.md
	$(PY) bench/quiz_bench.py --write-docs

bench-quiz-writes: venv ## 80 concurrent quiz writes of one learner, words in opposite orders (~15 s): status counts, deadlocks
	$(PY) scripts/pgserver.py run -- $(PY) bench/quiz_write_race.py

bench: bench-quiz ## every benchmark (results in docs/benchmarks.md)

eval-quiz-policy: venv ## policy evaluation (ours vs FSRS, earlier, random; 2 worlds, 90 days): docs/models/quiz-policy.{json,md,png}; QUICK=1: 100 learners (~3 min)
	$(PY) -m apps.quiz.training.policy_eval $(if $(QUICK),--quick)

eval-quiz-bound: venv ## what an oracle reading the learner's true memory retains, with and without the 85 % band (same learners as eval-quiz-policy): docs/models/quiz-policy-bound.json
	$(PY) -m apps.quiz.training.policy_bound $(if $(QUICK),--learners 100)
