#!/usr/bin/env python3
"""Summary of a `mvn -B test` run for the end of the CI log: tests run, failed and skipped, each skip with its
reason, read from the modules' surefire reports (*/target/surefire-reports/TEST-*.xml).

Usage: /usr/bin/python3 .ci/test_summary.py [--torch-importable] [PROJECT_DIR]
With --torch-importable (.ci/run passes it once /usr/bin/python3 imports torch and torchvision) a skip whose
reason mentions torch is an error: the parity tests must run where they can. Exit status 1 then, or when no
report was found.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def main():
    args = sys.argv[1:]
    torch_importable = "--torch-importable" in args
    args = [a for a in args if a != "--torch-importable"]
    root = args[0] if args else "."
    reports = sorted(glob.glob(os.path.join(root, "*", "target", "surefire-reports", "TEST-*.xml")))
    if not reports:
        print("test summary: no surefire reports under %s/*/target/surefire-reports" % root)
        return 1
    run = failed = 0
    skipped = []
    for path in reports:
        suite = ET.parse(path).getroot()
        for case in suite.iter("testcase"):
            run += 1
            name = "%s.%s" % (case.get("classname"), case.get("name"))
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            s = case.find("skipped")
            if s is not None:
                reason = (s.get("message") or (s.text or "")).strip().splitlines()
                skipped.append((name, reason[0] if reason else "no reason given"))
    print()
    print("test summary: %d tests, %d failed or in error, %d skipped" % (run, failed, len(skipped)))
    for name, reason in skipped:
        print("  skipped %s: %s" % (name, reason))
    hidden = [n for n, r in skipped if "torch" in r.lower()]
    if torch_importable and hidden:
        print("error: /usr/bin/python3 imports torch, yet %d torchvision parity test(s) skipped: %s"
              % (len(hidden), ", ".join(hidden)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
