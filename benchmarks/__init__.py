"""Benchmarks that print figures: `python -m benchmarks [name...]` runs `benchmarks.<name>.main()`."""
