"""Detectors for the score criteria (filled in by the rules-engine work)."""
