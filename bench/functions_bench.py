#!/usr/bin/env python3
"""Each step function as its own process, as one Knative Service per step runs it: start-up (process start to its
first CloudEvent answered) and idle RSS, without and with an AppCDS archive, next to the embedded default (all roles
in one process, start-up to its first status answer) measured in the same run.

Usage: bench/functions_bench.py [ROUNDS]   (after mvn install; bench/run-functions.sh builds first)
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(REPO, "functions", "target", "quarkus-app")
JAR = os.path.join(APP, "quarkus-run.jar")
STEPS = ["receive", "build", "train", "register", "serve"]
# What a Knative Service per step would run with: small heap, C1 only (short-lived, scaled to zero).
FUNCTION_FLAGS = ["-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-XX:MaxMetaspaceSize=128m", "-Xss256k",
                  "-XX:ReservedCodeCacheSize=32m", "-XX:TieredStopAtLevel=1"]
EMBEDDED_FLAGS = ["-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxMetaspaceSize=128m", "-Xss512k",
                  "-XX:ReservedCodeCacheSize=64m"]
# The event each function is triggered by, with data that makes it answer without long work: receive and register
# refuse it (a reply with dev.fuseml.failed), build, train and serve accept it and answer at once.
TRIGGER = {"receive": "dev.fuseml.push", "build": "dev.fuseml.received", "train": "dev.fuseml.built",
           "register": "dev.fuseml.trained", "serve": "dev.fuseml.registered"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def post_event(url, step, timeout=60):
    run = "bench-" + uuid.uuid4().hex[:10]
    data = {"receive": {"repository": "http://127.0.0.1:1/git/workspace/none.git", "commit": "main"},
            "register": {"repository": "http://127.0.0.1:1/x.git", "commit": "0" * 40, "params": {},
                         "environment": "venv:00", "modelUri": "fuseml-artifacts:/workspace/bench/" + run + "/model",
                         "metrics": {}}}.get(step, {"version": 1, "modelUri": "fuseml-artifacts:/w/a/r/model"})
    req = urllib.request.Request(url + "/" + step, data=json.dumps(data).encode(), method="POST", headers={
        "ce-specversion": "1.0", "ce-id": uuid.uuid4().hex, "ce-type": TRIGGER[step], "ce-source": "bench",
        "ce-fusemlorg": "workspace", "ce-fusemlapp": "bench", "ce-fusemlrun": run,
        "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status


def wait_answer(fn, deadline):
    while time.monotonic() < deadline:
        try:
            return fn()
        except (ConnectionError, urllib.error.URLError, socket.timeout, OSError):
            time.sleep(0.005)
    raise RuntimeError("no answer in time")


def start(env, flags, cds=None, archive_out=None):
    command = ["java"] + flags
    if cds:
        command += ["-XX:SharedArchiveFile=" + cds, "-Xshare:auto"]
    if archive_out:
        command += ["-XX:ArchiveClassesAtExit=" + archive_out]
    command += ["-jar", "quarkus-run.jar"]
    full_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    full_env.update(env)
    # cwd in quarkus-app: the archive records the class path relatively (../shared/STACK.md)
    return subprocess.Popen(command, cwd=APP, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure_function(step, cp_url, sink, data_root, cds=None, archive_out=None):
    port = free_port()
    env = {"FUSEML_FUNCTION": step, "PORT": str(port), "FUSEML_CONTROL_PLANE": cp_url, "K_SINK": sink,
           "FUSEML_DATA_DIR": os.path.join(data_root, step + "-" + uuid.uuid4().hex[:6])}
    began = time.monotonic()
    proc = start(env, FUNCTION_FLAGS, cds, archive_out)
    try:
        wait_answer(lambda: post_event(f"http://127.0.0.1:{port}", step), began + 60)
        startup = time.monotonic() - began
        time.sleep(2.0)  # idle: what a scaled-up, waiting instance holds
        rss = rss_kb(proc.pid) / 1024
        return startup, rss
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def measure_embedded(data_root):
    port = free_port()
    env = {"FUSEML_DATA_DIR": os.path.join(data_root, "embedded-" + uuid.uuid4().hex[:6])}
    began = time.monotonic()
    proc = start(env, EMBEDDED_FLAGS + [f"-Dquarkus.http.port={port}"])
    try:
        wait_answer(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/status", timeout=5).status,
                    began + 60)
        startup = time.monotonic() - began
        time.sleep(2.0)
        return startup, rss_kb(proc.pid) / 1024
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    data_root = tempfile.mkdtemp(prefix="fuseml-fbench-")
    cp_port, broker_port = free_port(), free_port()
    cp_env = {"FUSEML_FUNCTION": "control-plane", "PORT": str(cp_port),
              "FUSEML_DATA_DIR": os.path.join(data_root, "control-plane")}
    cp_flags = EMBEDDED_FLAGS + [f"-Dfuseml.broker-port={broker_port}"] + [
        f"-Dfuseml.steps.{s}=http://127.0.0.1:1" for s in STEPS]
    cp = start(cp_env, cp_flags)
    cp_url = f"http://127.0.0.1:{cp_port}"
    sink = f"http://127.0.0.1:{broker_port}/workspace/default"
    try:
        wait_answer(lambda: urllib.request.urlopen(cp_url + "/api/v1/status", timeout=5).status,
                    time.monotonic() + 60)
        archives = {}
        for step in STEPS:  # one AppCDS archive per function, trained by a run that handled an event
            archives[step] = os.path.join(data_root, step + ".jsa")
            measure_function(step, cp_url, sink, data_root, archive_out=archives[step])
        results = {s: {"plain": [], "cds": []} for s in STEPS}
        embedded = []
        for _ in range(rounds):  # alternated, so that the machine's noise falls on both alike
            embedded.append(measure_embedded(data_root))
            for step in STEPS:
                results[step]["plain"].append(measure_function(step, cp_url, sink, data_root))
                if os.path.exists(archives[step]):
                    results[step]["cds"].append(measure_function(step, cp_url, sink, data_root,
                                                                 cds=archives[step]))
        print(f"One process per function ({rounds} alternated starts each, medians; flags: "
              f"{' '.join(FUNCTION_FLAGS)})")
        print(f"{'process':<22}{'start to 1st event':>20}{'with AppCDS':>14}{'idle RSS':>11}{'with AppCDS':>13}")
        for step in STEPS:
            p, c = results[step]["plain"], results[step]["cds"]
            print(f"{step:<22}{statistics.median(x[0] for x in p):>19.2f}s"
                  f"{(statistics.median(x[0] for x in c) if c else float('nan')):>13.2f}s"
                  f"{statistics.median(x[1] for x in p):>9.0f}MB"
                  f"{(statistics.median(x[1] for x in c) if c else float('nan')):>11.0f}MB")
        print(f"{'embedded default (all)':<22}{statistics.median(x[0] for x in embedded):>19.2f}s{'':>14}"
              f"{statistics.median(x[1] for x in embedded):>9.0f}MB   (baseline: start to 1st status answer)")
        print("targets per function: start-up <= 1.5 s, idle RSS <= 120 MB")
    finally:
        cp.send_signal(signal.SIGTERM)
        cp.wait(30)
        shutil.rmtree(data_root, ignore_errors=True)


if __name__ == "__main__":
    main()
