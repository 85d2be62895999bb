"""Builder of the seed dictionary dump (``make dump`` / ``python -m data.build``)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = DATA_DIR.parent
CURATION_DIR = DATA_DIR / "curation"
DUMP_PATH = DATA_DIR / "lsf_app_dump.sql.gz"
MANIFEST_PATH = DATA_DIR / "lsf_app_dump.manifest.json"
SENSES_INDEX_PATH = DATA_DIR / "lsf_app_dump.senses.tsv"
