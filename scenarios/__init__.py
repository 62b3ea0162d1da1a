"""Scenario scripts: what a client does and which faults strike when. They never open a socket."""
