#!/usr/bin/env python3
"""Benchmark of the main job, printing its figures next to baselines measured in the same run.

- Wall time of `fuseml push` for examples/sklearn-wine: the first push (environment created) and re-pushes with
  unchanged dependencies, split into the user's training process time (as the run log records it) and everything
  else (the orchestration overhead). Baseline: the same train.py run directly in the same venv.
- Resident memory of the orchestrator, idle with one app served, and of the Python prediction workers.
- Start-up of `fuseml --help`, next to a plain picocli jar (picocli's own AutoComplete --help).

Usage: bench/run.sh [re-pushes]   (uses a private config and data directory; leaves nothing running)
"""
import datetime
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUSEML = os.path.join(ROOT, "fuseml")
EXAMPLE = os.path.join(ROOT, "examples", "sklearn-wine")
REPUSHES = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def run(args, env, check=True):
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if check and proc.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(args), proc.stdout, proc.stderr))
    return proc, elapsed


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def children(pid):
    """Every descendant: a sandboxed Python is bubblewrap's grandchild, and bubblewrap's own RSS is not the Python's."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    direct = [int(p) for p in out.split()]
    return direct + [d for c in direct for d in children(c)]


def main():
    home = tempfile.mkdtemp(prefix="fuseml-bench-")
    env = dict(os.environ, FUSEML_CONFIG=os.path.join(home, "config.yaml"), XDG_DATA_HOME=os.path.join(home, "data"))
    if "PIP_INDEX_URL" not in env and os.path.isdir("/opt/pypi/simple"):
        env["PIP_INDEX_URL"] = "file:///opt/pypi/simple"
    run([FUSEML, "--help"], env)  # builds if needed, makes the CDS archive
    run([FUSEML, "install"], env)
    try:
        pushes = []
        for i in range(REPUSHES + 1):
            params = ["-P", "alpha=%.2f" % (0.3 + 0.1 * i)]
            began = time.time()
            proc, wall = run([FUSEML, "push", "wine", EXAMPLE] + params, env)
            run_id = re.search(r"run (\S+)", proc.stdout).group(1)
            trace = trace_of(os.path.join(home, "data", "fuseml", "runs", run_id + ".json"), began, began + wall)
            log, _ = run([FUSEML, "logs", "wine", "--run", run_id], env)
            train_ms = int(re.search(r"the training process ran (\d+) ms", log.stdout).group(1))
            build = float(re.search(r"build\s+succeeded\s+([\d.]+)s", proc.stdout).group(1))
            pushes.append({"wall": wall, "train": train_ms / 1000.0, "build": build, "trace": trace})

        first, again = pushes[0], pushes[1:]
        data = os.path.join(home, "data", "fuseml")
        # environments are per org since the hardening issue: envs/ORG/HASH
        python = glob.glob(os.path.join(data, "envs", "*", "*", "bin", "python"))[0]
        direct = []
        for _ in range(REPUSHES):
            with tempfile.TemporaryDirectory() as out:
                e = dict(env, FUSEML_MODEL_DIR=os.path.join(out, "model"), FUSEML_METRICS_FILE=os.path.join(out, "m.json"))
                direct.append(timed(lambda: subprocess.run([python, "train.py", "0.5", "0.1"], cwd=EXAMPLE, env=e,
                                                            capture_output=True, check=True)))

        med = statistics.median
        overhead = [p["wall"] - p["train"] for p in again]
        print("== fuseml push, examples/sklearn-wine (%d re-pushes, medians) ==" % REPUSHES)
        print("first push wall            %7.2f s  (environment creation %.2f s, training process %.2f s, "
              "everything else %.2f s)" % (first["wall"], first["build"], first["train"],
                                           first["wall"] - first["build"] - first["train"]))
        print("re-push wall               %7.2f s  (target <= 5 s)" % med([p["wall"] for p in again]))
        print("  training process         %7.2f s" % med([p["train"] for p in again]))
        print("  everything else          %7.2f s  (orchestration overhead, target <= 1 s)" % med(overhead))
        print("baseline: train.py direct  %7.2f s  (same venv, no FuseML)" % med(direct))
        print("ratio re-push / direct     %7.2f  (target <= 1.25)" % (med([p["wall"] for p in again]) / med(direct)))
        print("== where a re-push's time goes (medians; from the run record's step times and the CLI's wall) ==")
        for name in again[0]["trace"]:
            value = med([p["trace"][name] for p in again])
            extra = "  (of which the training process %.3f s)" % med([p["train"] for p in again]) \
                if name == "train" else ""
            print("  %-38s %6.3f s%s" % (name, value, extra))

        pid = int(re.search(r"pid: (\d+)", open(env["FUSEML_CONFIG"]).read()).group(1))
        time.sleep(3)  # idle: let the last deployment's spare finish importing
        workers = children(pid)
        print("== resident memory, idle, one app served ==")
        print("orchestrator (JVM)         %7.1f MB  (target <= 300 MB)" % rss_mb(pid))
        for w in workers:
            cmd = open("/proc/%d/cmdline" % w).read()
            if cmd.startswith("bwrap") or "/bwrap\0" in cmd:
                continue
            if "fuseml_worker" in cmd:
                print("python prediction worker   %7.1f MB" % rss_mb(w))
            elif "fuseml_warm" in cmd:
                print("python training interpreter, started ahead and waiting %5.1f MB" % rss_mb(w))

        picocli = glob.glob(os.path.expanduser("~/.m2/repository/info/picocli/picocli/4.7.7/picocli-4.7.7.jar"))
        cli, base = [], []
        for _ in range(10):  # alternated: the orchestrator and a waiting interpreter are still settling meanwhile
            cli.append(timed(lambda: subprocess.run([FUSEML, "--help"], env=env, capture_output=True, check=True)))
            base.append(timed(lambda: subprocess.run(["java", "-cp", picocli[0], "picocli.AutoComplete", "--help"],
                                                     capture_output=True)))
        print("== CLI start-up (10 alternated runs each, medians) ==")
        print("fuseml --help              %7.3f s" % med(cli))
        print("baseline: plain picocli    %7.3f s  (picocli.AutoComplete --help, default JVM flags)" % med(base))
    finally:
        run([FUSEML, "uninstall", "--purge"], env, check=False)


def trace_of(record_file, began, ended):
    """The run's own timeline: CLI start and upload until the run is recorded, each step, each hop between steps
    (the event through the broker to the next function and its claim), and the run's end until the CLI has exited."""
    record = json.load(open(record_file))

    def at(text):
        m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", text)
        whole = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        return whole.timestamp() + float("0." + (m.group(2) or "0"))
    trace = {"cli start, upload, push event": at(record["created"]) - began}
    previous = at(record["created"])
    for step in record["steps"]:
        trace["hop to " + step["name"]] = at(step["started"]) - previous
        trace[step["name"]] = at(step["ended"]) - at(step["started"])
        previous = at(step["ended"])
    trace["served until the cli has exited"] = ended - previous
    return trace


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
