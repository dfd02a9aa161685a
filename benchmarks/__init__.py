"""Concord's benchmark: `python -m benchmarks [--smoke] [--backend sqlite|postgresql|both]
[--only NAME]` drives the real bot process through the local Discord emulator and writes
docs/benchmarks/results.json, results.md and PNG plots.

Measurements (one module each): interactions, lateness, burst, scale, when.
"""
