#!/usr/bin/env python3
"""Functions from the image, started as a node starts them: the image's layers unpacked into a root file system,
/proc and /dev mounted, the process chrooted into it as user 1000 with the command and working directory config/
gives the role (the jlinked JDK 25, the steps' build in /steps and the role's AOT cache). Measured: process start to
the first 200 from the role's readiness route (what Knative's probe asks: it needs the control plane's answer too),
and RSS 2 s after that and 12 s after it (once the JVM has trimmed its native heap). Baseline in the same run,
alternated: the same jar on the same root started with plain `java -jar` (no AOT cache, no flags).

Usage (root: chroot and mount): bench/image_bench.py [ROUNDS] [TARBALL]
  TARBALL defaults to image/target/fuseml-jvm.tar (mvn -B -ntp package -pl functions,functions/steps,image -am -DskipTests -Pimage)
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from functions_bench import free_port, rss_kb  # noqa: E402 - one copy of each helper
ROLES = ["receive", "register"]
SETTLED = 12.0  # s after ready: past the JVM's first native heap trim (-XX:TrimNativeHeapInterval=5000)


def rss_mb(pid):
    # chroot execs the JVM in its own process, so the pid is the JVM's
    return rss_kb(pid) / 1024


def unpack(tarball, root):
    layout = tempfile.mkdtemp(prefix="oci-")
    try:
        with tarfile.open(tarball) as t:
            t.extractall(layout)
        blob = lambda digest: os.path.join(layout, "blobs", *digest.split(":"))
        index = json.load(open(os.path.join(layout, "index.json")))
        manifest = json.load(open(blob(index["manifests"][0]["digest"])))
        config = json.load(open(blob(manifest["config"]["digest"])))
        for layer in manifest["layers"]:
            # tar keeps the layers' modification times, which the AOT caches check
            subprocess.run(["tar", "--warning=no-unknown-keyword", "-xzf", blob(layer["digest"]), "-C", root,
                            "--no-same-owner"], check=True)
        return config["config"]
    finally:
        shutil.rmtree(layout)


def command_of(role):
    """The role's container command and working directory in config/ (the image's own for the control plane)."""
    import re
    text = open(os.path.join(REPO, "config", "40-functions.yaml" if role != "control-plane"
                             else "30-control-plane.yaml")).read()
    for doc in text.split("\n---"):
        if f"value: {role}\n" in doc:
            m = re.search(r"command: \[(.*?)\]", doc, re.S)
            wd = re.search(r"workingDir: (\S+)", doc)
            return [a.strip().strip('"') for a in m.group(1).replace("\n", " ").split(",")], \
                wd.group(1) if wd else "/app"
    raise SystemExit(f"no command for {role} in config/")


def start(root, argv, env, workdir="/app"):
    """As a container runtime starts a container: root changed, its working directory, the image's user 1000."""
    def enter():
        os.chroot(root)
        os.chdir(workdir)
        os.setgroups([])
        os.setgid(1000)
        os.setuid(1000)
    return subprocess.Popen(argv, preexec_fn=enter, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ready(port, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/q/health/ready", timeout=5) as r:
                if r.status == 200:
                    return
        except (ConnectionError, urllib.error.URLError, socket.timeout, OSError):
            pass
        time.sleep(0.005)
    raise RuntimeError("not ready in time")


def measure(root, role, command, cp_port, broker_port, settled=0.0):
    """Start to ready, RSS 2 s later and, when asked, RSS once settled (the JVM trims its native heap every 5 s)."""
    argv, workdir = command
    port = free_port()
    env = {"PORT": str(port), "FUSEML_FUNCTION": role, "FUSEML_DATA_DIR": f"/tmp/fuseml-{role}-{port}",
           "HOME": "/home/fuseml", "LANG": "C.UTF-8", "FUSEML_CONTROL_PLANE": f"http://127.0.0.1:{cp_port}",
           "K_SINK": f"http://127.0.0.1:{broker_port}/workspace/default"}
    began = time.monotonic()
    proc = start(root, argv, env, workdir)
    try:
        ready(port, began + 60)
        startup = time.monotonic() - began
        time.sleep(2.0)
        idle = rss_mb(proc.pid)
        if settled:
            time.sleep(settled - 2.0)
        return startup, idle, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main():
    if os.geteuid() != 0:
        raise SystemExit("chroot and mount need root")
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    tarball = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "image", "target", "fuseml-jvm.tar")
    root = tempfile.mkdtemp(prefix="rootfs-")
    os.chmod(root, 0o755)
    mounted = []
    cp = None
    try:
        config = unpack(tarball, root)
        assert config["WorkingDir"] == "/app", config
        for target, args in (("proc", ["-t", "proc", "proc"]), ("dev", ["--bind", "/dev"])):
            os.makedirs(os.path.join(root, target), exist_ok=True)
            subprocess.run(["mount"] + args + [os.path.join(root, target)], check=True)
            mounted.append(os.path.join(root, target))
        cp_port, broker_port = free_port(), free_port()
        cp_argv = config["Entrypoint"][:]
        cp_argv[cp_argv.index("-jar"):cp_argv.index("-jar")] = [f"-Dfuseml.broker-port={broker_port}"] + [
            f"-Dfuseml.steps.{s}=http://127.0.0.1:1" for s in ["receive", "build", "train", "register", "serve"]]
        cp = start(root, cp_argv, {"PORT": str(cp_port), "FUSEML_FUNCTION": "control-plane", "HOME": "/home/fuseml",
                                   "FUSEML_DATA_DIR": "/tmp/fuseml-cp", "LANG": "C.UTF-8"}, config["WorkingDir"])
        ready(cp_port, time.monotonic() + 60)
        results = {r: {"image": [], "flags": [], "plain": []} for r in ROLES}
        for _ in range(rounds):  # alternated, so that the machine's noise falls on all alike
            for role in ROLES:
                image, workdir = command_of(role)
                flags = [a for a in image if not a.startswith("-XX:AOTCache")]
                results[role]["image"].append(measure(root, role, (image, workdir), cp_port, broker_port,
                                                      settled=SETTLED))
                results[role]["flags"].append(measure(root, role, (flags, workdir), cp_port, broker_port))
                # the same build (the jar the image runs for the role), started plainly where it is
                results[role]["plain"].append(measure(root, role, (["/opt/java/bin/java", "-jar", "quarkus-run.jar"],
                                                                   workdir), cp_port, broker_port))
        print(f"Functions from the image in a chroot, process start to the first 200 on /q/health/ready "
              f"({rounds} alternated starts each, medians)")
        print(f"{'role':<10}{'image (AOT)':>13}{'same flags, no AOT':>20}{'plain java -jar':>17}{'ratio':>8}"
              f"{'RSS 2 s':>9}{f'RSS {SETTLED:.0f} s':>10}{'plain RSS':>11}")
        for role in ROLES:
            med = {k: statistics.median(x[0] for x in v) for k, v in results[role].items()}
            rss = {k: statistics.median(x[1] for x in v) for k, v in results[role].items()}
            settled = statistics.median(x[2] for x in results[role]["image"])
            print(f"{role:<10}{med['image']:>12.2f}s{med['flags']:>19.2f}s{med['plain']:>16.2f}s"
                  f"{med['image'] / med['plain']:>8.2f}{rss['image']:>7.0f}MB{settled:>8.0f}MB{rss['plain']:>9.0f}MB")
        print("targets: ratio (image over plain java -jar) <= 0.5, absolute <= 0.6 s, idle RSS <= 100 MB")
        caches = [os.path.join(root, home, "aot", f) for home in ("app", "steps")
                  for f in os.listdir(os.path.join(root, home, "aot"))]
        print(f"image tarball: {os.path.getsize(tarball) / 2**20:.0f} MB; AOT caches unpacked: "
              f"{sum(os.path.getsize(c) for c in caches) / 2**20:.0f} MB")
    finally:
        if cp:
            cp.send_signal(signal.SIGTERM)
            cp.wait(30)
        for m in reversed(mounted):
            subprocess.run(["umount", "-l", m])
        if not any(open("/proc/self/mounts").read().count(" " + m + " ") for m in mounted):
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
