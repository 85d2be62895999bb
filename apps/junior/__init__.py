"""Vocabulo Junior API."""
