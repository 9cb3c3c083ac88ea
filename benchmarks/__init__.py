"""Benchmark scripts (run them; they are never timed tests)."""
