"""Benchmarks (scripts/bench); not part of scripts/test."""
