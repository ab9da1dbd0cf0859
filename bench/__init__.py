"""Benchmarks (`make bench`): scenarios S1-S6 of the performance issue, with baselines."""
