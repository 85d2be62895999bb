-- Additions of ours, applied by vocabulo-restore after every restore (seed or production dump).
-- Idempotent (IF NOT EXISTS / GRANT), so a real dump that lacks them still restores.
-- Indexes for the lookups the services make on every request.
CREATE INDEX IF NOT EXISTS mot_mot_idx ON public.mot (mot);
CREATE INDEX IF NOT EXISTS quiz_user_idx ON public.quiz (user_id);
CREATE INDEX IF NOT EXISTS score_quiz_quiz_idx ON public.score_quiz (quiz_id);
CREATE INDEX IF NOT EXISTS eval_mot_quiz_idx ON public.eval_mot (quiz_id);
GRANT USAGE ON SCHEMA public TO readonly;
GRANT USAGE ON SCHEMA public TO readwrite;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO readwrite;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO readwrite;

-- Fresh statistics, so the first queries after a restore get good plans.
ANALYZE;
