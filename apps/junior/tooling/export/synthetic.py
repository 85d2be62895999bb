"""Random-weight CamemBERT models built offline, for tests and benchmarks of the export path.

The tokenizer is a SentencePiece model trained on the given text with SentencePiece's default
special ids (unk 0, bos 1, eos 2), wrapped the CamemBERT way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def train_tokenizer(corpus: str, work: Path, vocab_size: int) -> Any:
    """A CamembertTokenizerFast over a unigram SentencePiece model trained on ``corpus``."""
    import sentencepiece as spm
    from transformers import CamembertTokenizerFast

    work.mkdir(parents=True, exist_ok=True)
    text = work / "corpus.txt"
    text.write_text(corpus, encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(work / "sp"),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        minloglevel=2,
    )
    return CamembertTokenizerFast(vocab_file=str(work / "sp.model"))


def build_camembert(
    tokenizer: Any,
    out: Path,
    *,
    hidden_size: int,
    layers: int,
    heads: int,
    intermediate_size: int,
    max_positions: int,
    vocab_size: int | None = None,
    seed: int = 0,
) -> Path:
    """save_pretrained a seeded random CamembertModel + ``tokenizer`` into ``out``."""
    import torch
    from transformers import CamembertConfig, CamembertModel

    torch.manual_seed(seed)
    config = CamembertConfig(
        vocab_size=max(vocab_size or 0, len(tokenizer)),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    CamembertModel(config).eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
