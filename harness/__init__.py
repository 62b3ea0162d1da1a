"""Faultline's harness: client, nemesis, history, checks, reports and the faces on top."""

import importlib.util
import sys

__version__ = "0.1.0"

# httpcore tries `import sniffio` on every request it sends; with no sniffio installed, each failed import searched
# sys.path again (~0.4 ms, a fifth of the fuzzer's CPU). Marked absent once, that import fails at once, as before.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]
