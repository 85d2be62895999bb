-- Additions of ours, applied by vocabulo-restore after every restore (seed or production dump).
-- Idempotent (IF NOT EXISTS / GRANT), so a real dump that lacks them still restores; also
-- re-applied when the dump is already restored, so an existing database gets new objects.
-- Indexes for the lookups the services make on every request.
CREATE INDEX IF NOT EXISTS mot_mot_idx ON public.mot (mot);
-- The Quiz's history read (apps/quiz/history.py) walks a learner's quizzes, then each quiz's
-- answers and feelings: covering indexes (INCLUDE) let it read them from the index alone
-- (index-only scans, once VACUUM has marked the pages all-visible; vocabulo-restore runs it).
CREATE INDEX IF NOT EXISTS quiz_user_date_idx ON public.quiz (user_id) INCLUDE (quiz_id, date);
CREATE INDEX IF NOT EXISTS score_quiz_answer_idx ON public.score_quiz (quiz_id)
    INCLUDE (mot_id, score);
CREATE INDEX IF NOT EXISTS eval_mot_feeling_idx ON public.eval_mot (quiz_id) INCLUDE (mot_id, scale);
-- their narrower predecessors (databases restored by earlier versions)
DROP INDEX IF EXISTS public.quiz_user_idx;
DROP INDEX IF EXISTS public.score_quiz_quiz_idx;
DROP INDEX IF EXISTS public.eval_mot_quiz_idx;
GRANT USAGE ON SCHEMA public TO readonly;
GRANT USAGE ON SCHEMA public TO readwrite;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO readwrite;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO readwrite;

-- Idempotency keys of quiz writes (apps/quiz/idempotency.py): ours, in our schema, so the
-- production tables stay as the dump has them. A retry of POST /v1/quizzes with the same
-- Idempotency-Key finds the first quiz here. Not in backups (vocabulo_meta is excluded).
CREATE SCHEMA IF NOT EXISTS vocabulo_meta;
REVOKE ALL ON SCHEMA vocabulo_meta FROM PUBLIC;
CREATE TABLE IF NOT EXISTS vocabulo_meta.quiz_requests (
    user_id uuid NOT NULL,
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256 text NOT NULL,
    quiz_id uuid NOT NULL,
    recorded_answers integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);
DO $quiz_requests$ BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'vocabulo_quiz') THEN
        GRANT USAGE ON SCHEMA vocabulo_meta TO vocabulo_quiz;
        GRANT SELECT, INSERT ON vocabulo_meta.quiz_requests TO vocabulo_quiz;
    END IF;
END $quiz_requests$;

-- Fresh statistics, so the first queries after a restore get good plans.
ANALYZE;
