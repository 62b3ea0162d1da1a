"""Benchmarks that print figures: `python -m benchmarks [name...]` runs `benchmarks.<name>.main()`.

A module's main() may return {label: figure} (both strings): `python -m benchmarks` prints every such pair in
one closing table, side by side (benchmarks/__main__.py), e.g. robustness's hostile suite wall time beside the
suite's serial and parallel times, and fuzz's schedules/s and times to the first failure.
"""
