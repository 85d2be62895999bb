"""Vocabulo Quiz API."""
