"""Detectors for the interview criteria (filled in by the rules-engine work)."""
