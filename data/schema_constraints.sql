-- Foreign keys of the production schema, added after the data is loaded (as pg_dump does).
-- quiz.quiz_id → eval_quiz.quiz_id is part of the production schema: every quiz has an
-- eval_quiz row, written first.
ALTER TABLE public.lsf_signe ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.picto ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.subcategory ADD FOREIGN KEY (categorie_id)
    REFERENCES public.categorie (categorie_id) ON UPDATE CASCADE ON DELETE CASCADE;
ALTER TABLE public.mot ADD FOREIGN KEY (gramm_id) REFERENCES public.grammatical_cat (gramm_id);
ALTER TABLE public.mot ADD FOREIGN KEY (echelon_id) REFERENCES public.echelon_db (echelon_id);
ALTER TABLE public.mot ADD FOREIGN KEY (niv_diff_id) REFERENCES public.niv_diff (niv_diff_id);
ALTER TABLE public.mot ADD FOREIGN KEY (alphabet_id) REFERENCES public.alphabet (alphabet_id);
ALTER TABLE public.sublevel ADD FOREIGN KEY (level_id) REFERENCES public.level (level_id);
ALTER TABLE public.echelon_db ADD FOREIGN KEY (sublevel_id) REFERENCES public.sublevel (sublevel_id);
ALTER TABLE public.quiz ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.quiz ADD FOREIGN KEY (user_id) REFERENCES public.authentication (user_id);
ALTER TABLE public.quiz ADD FOREIGN KEY (quiz_id) REFERENCES public.eval_quiz (quiz_id);
ALTER TABLE public.authentication ADD FOREIGN KEY (quiz_id) REFERENCES public.quiz (quiz_id);
ALTER TABLE public.authentication ADD FOREIGN KEY (token_id) REFERENCES public.device_token (token_id);
ALTER TABLE public.score_quiz ADD FOREIGN KEY (quiz_id) REFERENCES public.quiz (quiz_id);
ALTER TABLE public.score_quiz ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.view_sign ADD FOREIGN KEY (score_id) REFERENCES public.score_quiz (score_id);
ALTER TABLE public.text_extraction ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.diff_ortho ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.mot_categorie ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.mot_categorie ADD FOREIGN KEY (categorie_id) REFERENCES public.categorie (categorie_id);
ALTER TABLE public.mot_subcategory ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.mot_subcategory ADD FOREIGN KEY (subcat_id) REFERENCES public.subcategory (subcat_id);
ALTER TABLE public.eval_mot ADD FOREIGN KEY (quiz_id) REFERENCES public.quiz (quiz_id);
ALTER TABLE public.eval_mot ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
ALTER TABLE public.user_word_history ADD FOREIGN KEY (user_id) REFERENCES public.authentication (user_id);
ALTER TABLE public.user_word_history ADD FOREIGN KEY (mot_id) REFERENCES public.mot (mot_id);
