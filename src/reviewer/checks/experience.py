"""Detectors for the experience criteria (filled in by the rules-engine work)."""
