"""Print per-lane and total test counts from pytest's JUnit XML files.

The last line is the plain "TOTAL: N passed, N failed, N skipped" summary.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

total = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    file = Path(path)
    if not file.exists():
        continue
    suites = ET.parse(file).getroot()  # noqa: S314 - our own pytest output
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    passed = tests - failed - skipped
    print(f"{file.stem:<9} {passed} passed, {failed} failed, {skipped} skipped")
    total["passed"] += passed
    total["failed"] += failed
    total["skipped"] += skipped
print(f"TOTAL: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
