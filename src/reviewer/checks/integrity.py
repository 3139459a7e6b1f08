"""Detectors for the integrity criteria (filled in by the rules-engine work)."""
