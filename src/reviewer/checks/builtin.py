"""Imports every built-in detector module so that each registers its checks."""

from . import application, experience, general, integrity, interview, kaiser, score, tailoring  # noqa: F401
