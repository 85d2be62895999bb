-- Vocabulo LSF dictionary schema: the tables and column names of the production dump
-- (lsf_app_dump.sql). The seed-dump builder (make dump) emits this DDL, then the data.
-- One row of `mot` is one sense of a word. Keep names unchanged: the apps and a real
-- production dump rely on them. Roles readonly/readwrite are created by vocabulo-restore
-- before any dump is loaded (a real dump grants to them).

CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

CREATE TYPE public.scale AS ENUM ('Trop dur', 'Bien', 'Trop facile');
CREATE TYPE public.name_level AS ENUM ('primaire', 'collège', 'lycée', 'supérieur');
CREATE TYPE public.name_classe AS ENUM (
    'CP', 'CE1', 'CE2', 'CM1', 'CM2', 'sixième', 'cinquième', 'quatrième', 'troisième',
    'seconde', 'première', 'terminale', 'université');
CREATE TYPE public.level_diff AS ENUM ('easy', 'medium', 'hard');
CREATE TYPE public.gram_cat AS ENUM (
    'nom', 'verbe', 'adjectif', 'préposition', 'déterminent', 'pronom', 'nom propre',
    'adverbe', 'conjonction', 'interjection');

CREATE TABLE public.alphabet (
    alphabet_id integer PRIMARY KEY,
    letter character(1) NOT NULL
);

CREATE TABLE public.grammatical_cat (
    gramm_id integer PRIMARY KEY,
    name public.gram_cat
);

CREATE TABLE public.niv_diff (
    niv_diff_id integer PRIMARY KEY,
    name public.level_diff
);

CREATE TABLE public.level (
    level_id integer PRIMARY KEY,
    name public.name_level
);

CREATE TABLE public.sublevel (
    sublevel_id integer PRIMARY KEY,
    name public.name_classe,
    level_id integer,
    echelon_id integer
);

CREATE TABLE public.echelon_db (
    echelon_id integer PRIMARY KEY,
    sublevel_id integer
);

CREATE TABLE public.mot (
    mot_id serial PRIMARY KEY,
    mot character varying,
    definition character varying,
    alphabet_id integer,
    gramm_id integer,
    frequence integer,
    niv_diff_id integer,
    echelon_id integer
);

CREATE TABLE public.lsf_signe (
    signe_id serial PRIMARY KEY,
    url_sign character varying,
    url_def character varying,
    mot_id integer UNIQUE
);

CREATE TABLE public.picto (
    picto_id integer PRIMARY KEY,
    img text,
    mot_id integer
);

CREATE TABLE public.categorie (
    categorie_id uuid PRIMARY KEY,
    name character varying UNIQUE
);

CREATE TABLE public.subcategory (
    subcat_id uuid PRIMARY KEY,
    name character varying,
    categorie_id uuid,
    UNIQUE (name, categorie_id)
);

CREATE TABLE public.mot_categorie (
    mot_id integer,
    categorie_id uuid,
    PRIMARY KEY (mot_id, categorie_id)
);

CREATE TABLE public.mot_subcategory (
    mot_id integer,
    subcat_id uuid,
    PRIMARY KEY (mot_id, subcat_id)
);

CREATE TABLE public.diff_ortho (
    mot_id integer PRIMARY KEY,
    freqfilms numeric,
    freqlivres numeric,
    nbr_syll integer,
    cp_u numeric,
    cp_sfi numeric,
    ce1_u numeric,
    ce1_sfi numeric,
    ce2_cm2_u numeric,
    ce2_cm2_sfi numeric,
    cp_cm2_u numeric,
    cp_cm2_sfi numeric
);

CREATE TABLE public.device_token (
    token_id serial PRIMARY KEY,
    create_at timestamp with time zone,
    device_token text,
    device_type character varying
);

CREATE TABLE public.eval_quiz (
    eval_quizz_id uuid PRIMARY KEY,
    quiz_id uuid NOT NULL UNIQUE,
    scale public.scale
);

CREATE TABLE public.authentication (
    user_id uuid PRIMARY KEY,
    pseudo character varying,
    password character varying,
    date timestamp with time zone,
    quiz_id uuid,
    token_id serial
);

CREATE TABLE public.quiz (
    quiz_id uuid PRIMARY KEY,
    date timestamp with time zone,
    mot_id integer,
    user_id uuid
);

CREATE TABLE public.score_quiz (
    score_id uuid PRIMARY KEY,
    quiz_id uuid,
    mot_id integer,
    score boolean,
    use_sign boolean,
    count integer
);

CREATE TABLE public.view_sign (
    score_id uuid PRIMARY KEY,
    flag boolean DEFAULT true
);

CREATE TABLE public.eval_mot (
    eval_mot_id uuid PRIMARY KEY,
    quiz_id uuid,
    mot_id integer,
    scale public.scale
);

CREATE TABLE public.text_extraction (
    text_id uuid PRIMARY KEY,
    date timestamp with time zone,
    text text,
    mot_id integer
);

CREATE TABLE public.user_word_history (
    user_id uuid,
    mot_id integer,
    last_seen timestamp with time zone,
    times_seen integer DEFAULT 0,
    times_correct integer DEFAULT 0,
    PRIMARY KEY (user_id, mot_id)
);
