"""Checks: the registry, the rules detectors (one small pure function per criterion kind), the rules
engine that turns detector outcomes into findings, and the application-level checks."""
