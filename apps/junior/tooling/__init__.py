"""Offline Junior tooling, not part of the service image: model fetch, CamemBERT export,
the development dictionary, the sense/OCR evaluation and its report."""
