"""Benchmarks: each prints its figures beside the raw server's for the same work, in the same run."""
