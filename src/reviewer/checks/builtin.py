"""Imports every built-in detector module so that each registers its checks."""

from . import application, experience, integrity, interview, kaiser, score  # noqa: F401
