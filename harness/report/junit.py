"""JUnit XML: one testsuite per scenario@revision, one testcase per check verdict."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from harness.runner import ScenarioResult, relevant


def write_junit(results: list[ScenarioResult], path: Path, expected: set[tuple[str, str, str]] | None = None) -> Path:
    expected = expected or set()
    root = ET.Element("testsuites", name="faultline")
    for r in results:
        shown = relevant(r)
        suite = ET.SubElement(root, "testsuite", name=f"{r.scenario}@{r.revision}", tests=str(len(shown)),
                              time=f"{r.wall:.3f}")
        fails = errors = skips = 0
        for v in shown:
            case = ET.SubElement(suite, "testcase", classname=f"{r.scenario}@{r.revision}",
                                 name=f"{v.check} [{v.requirement}]")
            known = (r.scenario, v.check, r.revision) in expected
            if v.status in ("FAIL", "WARN") and not known:
                fails += 1
                el = ET.SubElement(case, "failure", message=f"{v.status}: {v.message}", type=v.level)
                el.text = f"witness seqs {v.witness}; history {r.history_path or '-'}"
            elif v.status == "ERROR":
                errors += 1
                ET.SubElement(case, "error", message=v.message)
            elif v.status != "PASS":
                skips += 1
                ET.SubElement(case, "skipped", message=f"{v.status}: {v.message}")
        suite.set("failures", str(fails))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skips))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
