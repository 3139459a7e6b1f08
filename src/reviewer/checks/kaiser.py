"""Detectors for the kaiser criteria (filled in by the rules-engine work)."""
