"""Custom integrations (a package so tests import this one, not phcc's)."""
