"""Vocabulo dump-restore job (console script ``vocabulo-restore``)."""
