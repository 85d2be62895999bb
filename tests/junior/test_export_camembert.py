"""The CamemBERT → ONNX export path, proven on a tiny CamemBERT built here (no model hub).

Same code as production (``python -m apps.junior.tooling.export``): optimum export, int8 quantisation,
manifest, then the service's OnnxTransformerEncoder on the exported directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
spm = pytest.importorskip("sentencepiece")

from apps.common.hashing import file_sha256  # noqa: E402
from apps.junior.encoder import Encoder  # noqa: E402
from apps.junior.tooling.export import cli, export_model, read_manifest  # noqa: E402
from apps.junior.tooling.export.source import ModelSource  # noqa: E402
from apps.junior.tooling.export.synthetic import build_camembert, train_tokenizer  # noqa: E402
from apps.junior.transformer_encoder import OnnxTransformerEncoder  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

# ~15-25 s in all (torch import + two tiny exports); tracing warnings are expected noise.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:transformers.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:optimum.*"),
]

CORPUS = """\
Le petit chat dort sur le tapis rouge près de la cheminée.
La souris grise mange un morceau de fromage dans la cuisine.
Le loup court très vite dans la forêt sombre et froide.
Une fée apporte des bonbons aux enfants sages chaque soir.
Léa regarde les étoiles qui brillent au-dessus du jardin.
Mon frère joue au ballon avec ses amis dans la cour de l'école.
Le boulanger prépare du pain chaud et des croissants dorés.
Au printemps, les fleurs poussent et les oiseaux chantent.
La maîtresse lit une histoire de pirates à toute la classe.
Le bateau glisse sur la mer bleue jusqu'à l'île mystérieuse.
Grand-mère tricote une écharpe verte pour l'hiver prochain.
Le petit ours cherche du miel dans le creux d'un vieil arbre.
Quand il pleut, nous sautons dans les flaques avec nos bottes.
Tout à coup, le dragon ouvre ses grandes ailes et s'envole.
Les élèves rangent leurs cahiers et leurs crayons de couleur.
Papa répare le vélo de ma sœur dans le garage.
La lune éclaire le chemin qui mène au château enchanté.
Le chien aboie quand le facteur sonne à la porte.
Nous avons planté des tomates, des carottes et des radis.
Le lapin blanc se cache derrière un gros rocher moussu.
Elle se lève tôt pour voir le soleil se lever sur la montagne.
Les pompiers arrivent avec leur camion rouge et leur grande échelle.
Le hibou ouvre ses yeux ronds au milieu de la nuit.
Maman prépare une tarte aux pommes pour le goûter.
Le train siffle et traverse la campagne à toute vitesse.
Un géant très gentil habite dans une maison au sommet de la colline.
Les enfants construisent un bonhomme de neige avec un nez en carotte.
La princesse découvre une clé dorée sous son oreiller.
Le poisson rouge tourne en rond dans son bocal.
Après l'école, Tom fait ses devoirs puis il lit une bande dessinée.
Le vent souffle fort et fait tomber les feuilles des arbres.
Une petite fille dessine un arc-en-ciel avec sept couleurs.
Le cuisinier coupe les légumes et remue la soupe.
Les grenouilles sautent d'un nénuphar à l'autre sur l'étang.
Le magicien sort un lapin de son chapeau noir.
À la plage, nous ramassons des coquillages et des galets.
Le renard rusé observe les poules derrière la barrière.
Mon cousin apprend à nager à la piscine le mercredi.
La tortue avance lentement mais elle gagne la course.
Les abeilles butinent les fleurs pour fabriquer du miel.
"""

# Unseen sentences of different lengths, so batches carry padding.
SENTENCES = [
    "Le chat mange.",
    "La petite souris court dans la grande cuisine de grand-mère.",
    "Un dragon vert dort au sommet de la montagne, près du château enchanté où vit la princesse.",
    "Bonjour !",
    "Les enfants regardent le bateau sur la mer.",
]


@pytest.fixture(scope="module")
def tiny_camembert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A save_pretrained dir: SentencePiece tokenizer trained on CORPUS + seeded random CamemBERT."""
    work = tmp_path_factory.mktemp("tiny-camembert")
    tokenizer = train_tokenizer(CORPUS * 3, work / "tokenizer", vocab_size=250)
    return build_camembert(
        tokenizer,
        work / "model",
        hidden_size=64,
        layers=2,
        heads=2,
        intermediate_size=128,
        max_positions=130,
    )


@pytest.fixture(scope="module")
def exported(tiny_camembert: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model exported by the CLI's export function, with its int8 copy."""
    out = tmp_path_factory.mktemp("export") / "camembert"
    export_model(ModelSource(str(tiny_camembert), local=True), out, quantize=True)
    return out


def torch_outputs(model_dir: Path, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch last_hidden_state, attention mask and L2-normalised mean-pooled embeddings."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(model_dir, local_files_only=True).eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    pooled = torch.nn.functional.normalize(pooled, dim=1)
    return hidden.numpy(), batch["attention_mask"].numpy(), pooled.numpy()


def onnx_hidden(path: Path, model_dir: Path, texts: list[str]) -> np.ndarray:
    """Raw last_hidden_state of an exported ONNX file."""
    import onnxruntime as ort

    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    batch = tokenizer(texts, padding=True, return_tensors="np")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {i.name: batch[i.name].astype(np.int64) for i in session.get_inputs()}
    return session.run(["last_hidden_state"], feeds)[0]


def test_tokenizer_keeps_sentencepiece_specials(tiny_camembert: Path) -> None:
    """The tiny tokenizer wraps a default-id SentencePiece model the CamemBERT way."""
    sp = spm.SentencePieceProcessor(model_file=str(tiny_camembert / "sentencepiece.bpe.model"))
    assert (sp.unk_id(), sp.bos_id(), sp.eos_id()) == (0, 1, 2)
    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_camembert, local_files_only=True)
    ids = tokenizer("Le chat dort.")["input_ids"]
    assert ids[0] == tokenizer.bos_token_id
    assert ids[-1] == tokenizer.eos_token_id
    assert tokenizer.unk_token_id not in ids


def test_fp32_onnx_matches_pytorch(tiny_camembert: Path, exported: Path) -> None:
    """Hidden states and pooled sentence embeddings agree with PyTorch within 1e-4."""
    hidden, mask, pooled = torch_outputs(tiny_camembert, SENTENCES)
    assert mask.min() == 0, "the batch must contain padding"
    onnx_out = onnx_hidden(exported / "model.onnx", exported, SENTENCES)
    assert onnx_out.shape == hidden.shape
    valid = mask.astype(bool)
    assert np.abs(onnx_out[valid] - hidden[valid]).max() <= 1e-4
    weights = mask[:, :, None].astype(np.float32)
    onnx_pooled = (onnx_out * weights).sum(1) / weights.sum(1)
    onnx_pooled /= np.linalg.norm(onnx_pooled, axis=1, keepdims=True)
    assert np.abs(onnx_pooled - pooled).max() <= 1e-4


def test_int8_embeddings_stay_close_to_fp32(exported: Path) -> None:
    """Each int8 sentence embedding has cosine ≥ 0.99 with its fp32 twin; the file is smaller."""
    fp32 = OnnxTransformerEncoder(exported, threads=1, variant="fp32").encode(SENTENCES)
    int8 = OnnxTransformerEncoder(exported, threads=1, variant="int8").encode(SENTENCES)
    cosines = (fp32 * int8).sum(axis=1)
    assert cosines.min() >= 0.99, cosines
    assert (exported / "model_int8.onnx").stat().st_size < (exported / "model.onnx").stat().st_size


def test_encoder_matches_pytorch_mean_pooling(tiny_camembert: Path, exported: Path) -> None:
    """The service encoder (batched, length-sorted) reproduces PyTorch mean pooling in order."""
    _, _, pooled = torch_outputs(tiny_camembert, SENTENCES)
    encoder = OnnxTransformerEncoder(exported, threads=1, variant="fp32", batch_size=2)
    assert isinstance(encoder, Encoder)
    assert encoder.dim == 64
    assert encoder.name == "model-onnx-fp32"
    vectors = encoder.encode(SENTENCES)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(SENTENCES), 64)
    assert np.abs(vectors - pooled).max() <= 1e-4
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 64)


def test_encoder_defaults_to_int8_and_truncates_long_text(exported: Path) -> None:
    """Without a variant the quantised model is used; text past max_length is truncated, not fatal."""
    encoder = OnnxTransformerEncoder(exported, threads=2)
    assert encoder.variant == "int8"
    long_text = " ".join(SENTENCES * 40)
    vectors = encoder.encode([long_text, "Le chat."])
    assert vectors.shape == (2, 64)
    assert np.isfinite(vectors).all()


def test_manifest_hashes_every_file(exported: Path) -> None:
    """The manifest lists every exported file with its true sha256, plus opset and versions."""
    import onnx

    manifest = read_manifest(exported)
    on_disk = {p.name for p in exported.iterdir() if p.name != "manifest.json"}
    assert set(manifest["files"]) == on_disk
    assert {"model.onnx", "model_int8.onnx", "tokenizer.json", "config.json"} <= on_disk
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == file_sha256(exported / name), name
        assert entry["bytes"] == (exported / name).stat().st_size
    opset = onnx.load(str(exported / "model.onnx"), load_external_data=False).opset_import
    assert manifest["opset"] in {o.version for o in opset}
    assert manifest["task"] == "feature-extraction"
    assert manifest["hidden_size"] == 64
    assert manifest["max_length"] == 128
    for package in ("torch", "transformers", "optimum", "onnx", "onnxruntime"):
        assert manifest["versions"][package], package


def test_encoder_refuses_a_tampered_model(exported: Path, tmp_path: Path) -> None:
    """A model file that no longer matches its manifest is refused at load time."""
    copy = tmp_path / "copy"
    shutil.copytree(exported, copy)
    with (copy / "model_int8.onnx").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ValueError, match="sha256"):
        OnnxTransformerEncoder(copy, threads=1)


def test_encoder_without_export_says_what_to_do(tmp_path: Path) -> None:
    """An empty model dir names the make target that fills it."""
    with pytest.raises(FileNotFoundError, match="make export-junior-models"):
        OnnxTransformerEncoder(tmp_path, threads=1)


def test_cli_exports_a_local_dir(tiny_camembert: Path, tmp_path: Path) -> None:
    """The CLI on a local save_pretrained dir exports fp32 and can re-export over its own output."""
    out = tmp_path / "cli-out"
    assert cli.main(["--model", str(tiny_camembert), "--out", str(out)]) == 0
    first = read_manifest(out)
    assert set(first["onnx_files"]) == {"fp32"}
    assert cli.main(["--model", str(tiny_camembert), "--out", str(out), "--quantize"]) == 0
    assert set(read_manifest(out)["onnx_files"]) == {"fp32", "int8"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cli-out.tmp-")]


def test_cli_refuses_to_overwrite_foreign_dir(tiny_camembert: Path, tmp_path: Path) -> None:
    """An output dir holding something else than an export is left alone (exit 2)."""
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert cli.main(["--model", str(tiny_camembert), "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m apps.junior.tooling.export`` in a subprocess with extra environment."""
    return subprocess.run(
        [sys.executable, "-m", "apps.junior.tooling.export", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("model", "env", "reason"),
    [
        ("camembert-base", {"HF_HUB_OFFLINE": "1"}, "HF_HUB_OFFLINE"),
        ("camembert-base", {"HF_HUB_OFFLINE": "0", "HF_ENDPOINT": "http://127.0.0.1:9"}, "reach"),
        ("./no/such/model", {}, "not a directory"),
    ],
)
def test_cli_refuses_unreachable_model(
    model: str, env: dict[str, str], reason: str, tmp_path: Path
) -> None:
    """Neither a local dir nor a reachable hub model: exit 2 with a message saying what to do."""
    result = run_cli("--model", model, "--out", str(tmp_path / "out"), **env)
    assert result.returncode == 2, result.stderr
    assert "export refused" in result.stderr
    assert reason in result.stderr
    assert "make export-junior-models" in result.stderr
    assert not (tmp_path / "out").exists()


def test_encoder_is_safe_from_many_threads(exported: Path) -> None:
    """The service calls encode from a thread pool: concurrent calls give the serial answers."""
    from concurrent.futures import ThreadPoolExecutor

    encoder = OnnxTransformerEncoder(exported, threads=1, batch_size=2)
    expected = encoder.encode(SENTENCES)
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: encoder.encode(SENTENCES), range(60)))
    for vectors in results:
        np.testing.assert_allclose(vectors, expected, atol=1e-6)


IMAGE_LIKE_LOAD = """
import sys

# What the Junior image lacks: torch, sentencepiece, and apps/junior/tooling/export/ (.dockerignore).
# A None entry makes both `import` and importlib.util.find_spec report the module as absent.
for name in ("torch", "sentencepiece", "apps.junior.tooling.export"):
    sys.modules[name] = None
from pathlib import Path
from apps.junior.transformer_encoder import OnnxTransformerEncoder
vectors = OnnxTransformerEncoder(Path(sys.argv[1]), threads=1).encode(["Le chat dort."])
print(vectors.shape)
"""


def test_encoder_loads_without_torch_or_export_package(exported: Path) -> None:
    """The service side needs neither torch, sentencepiece nor apps/junior/tooling/export/ (not in the image)."""
    result = subprocess.run(
        [sys.executable, "-c", IMAGE_LIKE_LOAD, str(exported)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "(1, 64)"


def test_junior_encoder_setting_selects_the_export(
    exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JUNIOR_ENCODER=camembert + JUNIOR_CAMEMBERT_MODEL_DIR load this encoder in the service."""
    from apps.junior.encoder import load_encoder
    from apps.junior.settings import JuniorSettings

    monkeypatch.setenv("JUNIOR_ENCODER", "camembert")
    monkeypatch.setenv("JUNIOR_CAMEMBERT_MODEL_DIR", str(exported))
    monkeypatch.setenv("JUNIOR_ONNX_THREADS", "1")
    # Settings only need a URL; the encoder never connects.
    monkeypatch.setenv("DATABASE_URL", os.environ.get("DATABASE_URL", "postgresql://x@localhost/x"))
    encoder = load_encoder(JuniorSettings())
    assert isinstance(encoder, OnnxTransformerEncoder)
    assert encoder.variant == "int8"
    assert encoder.encode(SENTENCES[:2]).shape == (2, 64)
