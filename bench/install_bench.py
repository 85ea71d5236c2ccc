#!/usr/bin/env python3
"""The embedded orchestrator's start as `fuseml install` gives it (CLI start to the orchestrator's first status
answer, so the whole command a user waits for), and its RSS after 2 s idle, on three runtimes alternated in the same
run: the JDK 17 the machine runs Maven with (the baseline), a JDK 25 without a cache, and the JDK 25 with the AOT
cache the first install of a build trains (that install's own wall time is printed too: the training's cost).

Usage: bench/install_bench.py [ROUNDS]   (after mvn install; a JDK 25 in /usr/lib/jvm or FUSEML_JAVA_HOME25)
"""
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUSEML = os.path.join(ROOT, "fuseml")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from push_bench import rss_mb  # noqa: E402 - one copy of the helper


def jdk(feature):
    for home in sorted(glob.glob("/usr/lib/jvm/*")):
        try:
            text = open(os.path.join(home, "release")).read()
        except OSError:
            continue
        m = re.search(r'^JAVA_VERSION="(\d+)', text, re.M)
        if m and int(m.group(1)) == feature and not os.path.islink(home):
            return home
    return None


def install(env):
    started = time.perf_counter()
    proc = subprocess.run([FUSEML, "install"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit("install failed:\n" + proc.stdout + proc.stderr)
    pid = int(re.search(r"pid (\d+)", proc.stdout).group(1))
    time.sleep(2.0)  # idle: what it holds waiting for the first push
    rss = rss_mb(pid)
    subprocess.run([FUSEML, "uninstall"], env=env, capture_output=True, check=True)
    return wall, rss, proc.stdout


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    jdk17, jdk25 = os.environ.get("FUSEML_JAVA_HOME17") or jdk(17), os.environ.get("FUSEML_JAVA_HOME25") or jdk(25)
    if not jdk17 or not jdk25:
        sys.exit("needs a JDK 17 and a JDK 25 (set FUSEML_JAVA_HOME17 / FUSEML_JAVA_HOME25)")
    home = tempfile.mkdtemp(prefix="fuseml-install-bench-")
    base = dict(os.environ, FUSEML_CONFIG=os.path.join(home, "config.yaml"), XDG_DATA_HOME=os.path.join(home, "data"))
    configs = {
        "JDK 17 (baseline)": dict(base, FUSEML_JAVA_HOME=jdk17),
        "JDK 25, no cache": dict(base, FUSEML_JAVA_HOME=jdk25, FUSEML_AOT_CACHE="off"),
        "JDK 25 + AOT cache": dict(base, FUSEML_JAVA_HOME=jdk25, FUSEML_AOT_CACHE="on"),
    }
    try:
        subprocess.run([FUSEML, "--help"], env=base, capture_output=True, check=True)  # builds, CLI archive
        training_wall, _, out = install(configs["JDK 25 + AOT cache"])
        assert "Training" in out, out
        results = {k: [] for k in configs}
        for r in range(rounds):
            order = list(configs) if r % 2 == 0 else list(reversed(configs))
            for name in order:
                wall, rss, out = install(configs[name])
                if "AOT" in name:
                    assert "with its AOT cache" in out and "Training" not in out, out
                results[name].append((wall, rss))
        print("fuseml install: CLI start to the orchestrator's first status answer (%d alternated rounds, "
              "medians), RSS after 2 s idle" % rounds)
        baseline = statistics.median(w for w, _ in results["JDK 17 (baseline)"])
        for name, values in results.items():
            wall = statistics.median(w for w, _ in values)
            rss = statistics.median(m for _, m in values)
            print("%-22s %6.2f s  %5.2fx  %5.0f MB" % (name, wall, wall / baseline, rss))
        print("first install of a build on JDK 25 (trains the cache, then starts with it): %.2f s" % training_wall)
        caches = glob.glob(os.path.join(home, "data", "fuseml", "aot", "*.aot"))
        print("AOT cache: %.0f MB" % (sum(os.path.getsize(c) for c in caches) / 2**20))
    finally:
        subprocess.run([FUSEML, "uninstall", "--purge"], env=base, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
