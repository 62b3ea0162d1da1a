"""CLI subcommands of the run face: `run`, `demo`, `list`."""
