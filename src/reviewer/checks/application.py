"""Detectors for the application criteria (filled in by the rules-engine work)."""
