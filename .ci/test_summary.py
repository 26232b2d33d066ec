#!/usr/bin/env python3
"""Summary of a `mvn -B test` run for the end of the CI log: tests run, failed and skipped, the skips grouped by
reason, read from the modules' surefire reports (*/target/surefire-reports/TEST-*.xml).

Usage: /usr/bin/python3 .ci/test_summary.py [--torch-importable] [PROJECT_DIR]

With --torch-importable (.ci/run passes it once /usr/bin/python3 imports torch and torchvision) no torchvision
parity test may skip: a parity test is a test class (a surefire test name: *Test, *Tests, *TestCase, Test*) whose
source under */src/test/java uses TorchFixtures (the helper that makes golden values with torch at test time, or
reads them) or runs python -c "import torch ..."; any test whose skip reason mentions torch counts as one too. Such a test that skipped (for any reason, @Disabled included) or a
parity class with no report at all (it did not run) is an error.

Exit status 1 on such an error or when no report was found, else 0. The last line is the count of skipped tests.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

PARITY_SOURCE = re.compile(r'\bTorchFixtures\b|"-c",\s*"import torch')
TEST_CLASS = re.compile(r"^(Test\w*|\w*Test|\w*Tests|\w*TestCase)\.java$")


def parity_classes(root):
    """Fully qualified names of the test classes whose source makes torchvision golden values."""
    found = set()
    for path in glob.glob(os.path.join(root, "*", "src", "test", "java", "**", "*.java"), recursive=True):
        if not TEST_CLASS.match(os.path.basename(path)):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            if not PARITY_SOURCE.search(f.read()):
                continue
        rel = path.split(os.sep + os.path.join("src", "test", "java") + os.sep, 1)[1]
        found.add(rel[:-len(".java")].replace(os.sep, "."))
    return found


def read_reports(root):
    """(test cases as (class, name, failed, skip reason or None), report count)."""
    reports = sorted(glob.glob(os.path.join(root, "*", "target", "surefire-reports", "TEST-*.xml")))
    cases = []
    for path in reports:
        for case in ET.parse(path).getroot().iter("testcase"):
            failed = case.find("failure") is not None or case.find("error") is not None
            s = case.find("skipped")
            reason = None
            if s is not None:
                # surefire 3 writes "<exception>: <message>" and the stack as the element's text; older ones a message
                lines = (s.get("message") or (s.text or "")).strip().splitlines()
                reason = lines[0].strip() if lines else "no reason given"
                reason = re.sub(r"^org\.opentest4j\.TestAbortedException: (Assumption failed: )?", "", reason)
            cases.append((case.get("classname") or "", case.get("name") or "", failed, reason))
    return cases, len(reports)


def main(argv):
    torch_importable = "--torch-importable" in argv
    args = [a for a in argv if a != "--torch-importable"]
    root = args[0] if args else "."
    cases, reports = read_reports(root)
    if not reports:
        print("test summary: no surefire reports under %s/*/target/surefire-reports" % root)
        return 1
    failed = sum(1 for c in cases if c[2])
    skipped = [c for c in cases if c[3] is not None]
    by_reason = {}
    for cls, name, _, reason in skipped:
        by_reason.setdefault(reason, []).append("%s.%s" % (cls, name))
    print()
    for reason, names in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        print("  %d skipped because: %s" % (len(names), reason))
        for n in names:
            print("      %s" % n)
    errors = []
    if torch_importable:
        parity = parity_classes(root)
        hidden = ["%s.%s" % (c, n) for c, n, _, r in skipped if c in parity or "torch" in r.lower()]
        if hidden:
            errors.append("/usr/bin/python3 imports torch, yet %d torchvision parity test(s) skipped: %s"
                          % (len(hidden), ", ".join(hidden)))
        ran = {c[0] for c in cases}
        missing = sorted(parity - ran)
        if missing:
            errors.append("torchvision parity test class(es) with no surefire report (not run): %s"
                          % ", ".join(missing))
    for e in errors:
        print("error: " + e)
    print("test summary: %d tests, %d failed or in error, %d skipped%s"
          % (len(cases), failed, len(skipped), " (reasons above)" if skipped else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
