"""Faultline's harness: client, nemesis, history, checks, reports and the faces on top."""

__version__ = "0.1.0"
