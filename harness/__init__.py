"""Faultline's harness: client, nemesis, history, checks, reports and the faces on top."""

import sys

__version__ = "0.1.0"

try:  # httpcore imports sniffio on every request it sends; without it installed, each failed import searched
    import sniffio  # noqa: F401  - sys.path again (~0.4 ms, a fifth of the fuzzer's CPU): remember it is absent
except ImportError:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # `import sniffio` now fails at once, as before
