"""JUnit XML: one testsuite per scenario@revision, one testcase per verdict every output shows
(harness/report/status.py); FAIL and WARN are failures, ERROR errors, NOT-APPLICABLE and NOT-OBSERVED
skipped; the root holds the totals. A FAIL or WARN in the --expected-failures baseline is skipped, with its status."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from harness.report.status import shown
from harness.runner import ScenarioResult


def write_junit(results: list[ScenarioResult], path: Path, expected: set[tuple[str, str, str]] | None = None) -> Path:
    expected = expected or set()
    root = ET.Element("testsuites", name="faultline")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in results:
        kept = shown(r.verdicts, r.exercises)
        suite = ET.SubElement(root, "testsuite", name=f"{r.scenario}@{r.revision}", tests=str(len(kept)),
                              time=f"{r.wall:.3f}")
        fails = errors = skips = 0
        for v in kept:
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
        for key, n in (("tests", len(kept)), ("failures", fails), ("errors", errors), ("skipped", skips)):
            totals[key] += n
    for key, n in totals.items():
        root.set(key, str(n))
    root.set("time", f"{sum(r.wall for r in results):.3f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
