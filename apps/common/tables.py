"""SQLModel tables of the LSF schema (data/schema.sql), names exactly as in the production dump.

The database is created by the restore job from a dump, never by ``create_all``: these
classes describe it for queries. ``tests/integration/test_tables.py`` checks they match.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

FEELINGS = ("Trop dur", "Bien", "Trop facile")
ScaleType = SAEnum(*FEELINGS, name="scale", create_type=False)


def _tz() -> Column:
    return Column(DateTime(timezone=True))


class Alphabet(SQLModel, table=True):
    __tablename__ = "alphabet"
    alphabet_id: int = Field(primary_key=True)
    letter: str


class GrammaticalCat(SQLModel, table=True):
    __tablename__ = "grammatical_cat"
    gramm_id: int = Field(primary_key=True)
    name: str | None = None


class NivDiff(SQLModel, table=True):
    __tablename__ = "niv_diff"
    niv_diff_id: int = Field(primary_key=True)
    name: str | None = None


class Level(SQLModel, table=True):
    __tablename__ = "level"
    level_id: int = Field(primary_key=True)
    name: str | None = None


class Sublevel(SQLModel, table=True):
    __tablename__ = "sublevel"
    sublevel_id: int = Field(primary_key=True)
    name: str | None = None
    level_id: int | None = None
    echelon_id: int | None = None


class EchelonDb(SQLModel, table=True):
    __tablename__ = "echelon_db"
    echelon_id: int = Field(primary_key=True)
    sublevel_id: int | None = None


class Mot(SQLModel, table=True):
    """One sense of a word."""

    __tablename__ = "mot"
    mot_id: int | None = Field(default=None, primary_key=True)
    mot: str | None = None
    definition: str | None = None
    alphabet_id: int | None = None
    gramm_id: int | None = None
    frequence: int | None = None
    niv_diff_id: int | None = None
    echelon_id: int | None = None


class LsfSigne(SQLModel, table=True):
    __tablename__ = "lsf_signe"
    signe_id: int | None = Field(default=None, primary_key=True)
    url_sign: str | None = None
    url_def: str | None = None
    mot_id: int | None = None


class Picto(SQLModel, table=True):
    __tablename__ = "picto"
    picto_id: int = Field(primary_key=True)
    img: str | None = None
    mot_id: int | None = None


class Categorie(SQLModel, table=True):
    __tablename__ = "categorie"
    categorie_id: uuid.UUID = Field(primary_key=True)
    name: str | None = None


class Subcategory(SQLModel, table=True):
    __tablename__ = "subcategory"
    subcat_id: uuid.UUID = Field(primary_key=True)
    name: str | None = None
    categorie_id: uuid.UUID | None = None


class MotCategorie(SQLModel, table=True):
    __tablename__ = "mot_categorie"
    mot_id: int = Field(primary_key=True)
    categorie_id: uuid.UUID = Field(primary_key=True)


class MotSubcategory(SQLModel, table=True):
    __tablename__ = "mot_subcategory"
    mot_id: int = Field(primary_key=True)
    subcat_id: uuid.UUID = Field(primary_key=True)


class DiffOrtho(SQLModel, table=True):
    __tablename__ = "diff_ortho"
    mot_id: int = Field(primary_key=True)
    freqfilms: Decimal | None = None
    freqlivres: Decimal | None = None
    nbr_syll: int | None = None
    cp_u: Decimal | None = None
    cp_sfi: Decimal | None = None
    ce1_u: Decimal | None = None
    ce1_sfi: Decimal | None = None
    ce2_cm2_u: Decimal | None = None
    ce2_cm2_sfi: Decimal | None = None
    cp_cm2_u: Decimal | None = None
    cp_cm2_sfi: Decimal | None = None


class DeviceToken(SQLModel, table=True):
    __tablename__ = "device_token"
    token_id: int | None = Field(default=None, primary_key=True)
    create_at: datetime | None = Field(default=None, sa_column=_tz())
    device_token: str | None = None
    device_type: str | None = None


class Authentication(SQLModel, table=True):
    """A learner account."""

    __tablename__ = "authentication"
    user_id: uuid.UUID = Field(primary_key=True)
    pseudo: str | None = None
    password: str | None = None
    date: datetime | None = Field(default=None, sa_column=_tz())
    quiz_id: uuid.UUID | None = None
    token_id: int | None = None


class EvalQuiz(SQLModel, table=True):
    __tablename__ = "eval_quiz"
    eval_quizz_id: uuid.UUID = Field(primary_key=True)
    quiz_id: uuid.UUID
    scale: str | None = Field(default=None, sa_type=ScaleType)


class Quiz(SQLModel, table=True):
    __tablename__ = "quiz"
    quiz_id: uuid.UUID = Field(primary_key=True)
    date: datetime | None = Field(default=None, sa_column=_tz())
    mot_id: int | None = None
    user_id: uuid.UUID | None = None


class ScoreQuiz(SQLModel, table=True):
    __tablename__ = "score_quiz"
    score_id: uuid.UUID = Field(primary_key=True)
    quiz_id: uuid.UUID | None = None
    mot_id: int | None = None
    score: bool | None = None
    use_sign: bool | None = None
    count: int | None = None


class ViewSign(SQLModel, table=True):
    __tablename__ = "view_sign"
    score_id: uuid.UUID = Field(primary_key=True)
    flag: bool | None = True


class EvalMot(SQLModel, table=True):
    __tablename__ = "eval_mot"
    eval_mot_id: uuid.UUID = Field(primary_key=True)
    quiz_id: uuid.UUID | None = None
    mot_id: int | None = None
    scale: str | None = Field(default=None, sa_type=ScaleType)


class TextExtraction(SQLModel, table=True):
    __tablename__ = "text_extraction"
    text_id: uuid.UUID = Field(primary_key=True)
    date: datetime | None = Field(default=None, sa_column=_tz())
    text: str | None = None
    mot_id: int | None = None


class UserWordHistory(SQLModel, table=True):
    __tablename__ = "user_word_history"
    user_id: uuid.UUID = Field(primary_key=True)
    mot_id: int = Field(primary_key=True)
    last_seen: datetime | None = Field(default=None, sa_column=_tz())
    times_seen: int | None = 0
    times_correct: int | None = 0
