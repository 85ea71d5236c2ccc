#!/usr/bin/env python3
"""What the AWS SDK costs the orchestrator: start-up (process start to its first status answer) and RSS after one
artifact listing, with artifacts on the data directory (the SDK must not even load: its classes are counted from
-Xlog:class+load) against the same build with an S3 bucket configured (the SDK's S3 client, its default credentials
chain, one ListObjectsV2 at a stand-in S3 on loopback). With a second quarkus-app directory (a build from before the
SDK), that build on the data directory is measured alternately too.

Usage: bench/s3_bench.py [ROUNDS] [BEFORE_QUARKUS_APP_DIR]   (after mvn install -DskipTests)
Build a "before" app:  git worktree add /tmp/before REV && (cd /tmp/before && mvn -B -o -q package -DskipTests -pl
functions -am) ; then pass /tmp/before/functions/target/quarkus-app
"""
import hashlib
import http.server
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AFTER = os.path.join(REPO, "functions", "target", "quarkus-app")
TOKEN = "fuseml_bench-admin-token"
FLAGS = ["-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxMetaspaceSize=160m", "-Xss512k", "-XX:ReservedCodeCacheSize=64m"]


class EmptyBucket(http.server.BaseHTTPRequestHandler):
    """An S3 endpoint that has an empty bucket: every ListObjectsV2 answers no keys."""

    def do_GET(self):
        body = (b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/'
                b'2006-03-01/"><Name>bench</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>'
                b'</ListBucketResult>')
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def get(url, timeout=5):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + TOKEN})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def measure(app, s3_url, work):
    port = free_port()
    data = tempfile.mkdtemp(prefix="fuseml-s3bench-", dir=work)
    classes = os.path.join(data, "classes.log")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "PORT": str(port),
           "FUSEML_DATA_DIR": os.path.join(data, "data"), "FUSEML_BROKER_PORT": str(free_port()),
           "FUSEML_ADMIN_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest()}
    if s3_url:
        env.update({"FUSEML_ARTIFACTS_S3_BUCKET": "bench", "FUSEML_ARTIFACTS_S3_ENDPOINT": s3_url,
                    "FUSEML_ARTIFACTS_S3_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDBENCH",
                    "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_EC2_METADATA_DISABLED": "true"})
    started = time.monotonic()
    process = subprocess.Popen(["java"] + FLAGS + ["-Xlog:class+load=info:file=" + classes, "-jar",
                                                   "quarkus-run.jar"], cwd=app, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/api/v1/status", 1) == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the orchestrator did not answer; see " + data)
            time.sleep(0.005)
        start = time.monotonic() - started
        listing = get(f"http://127.0.0.1:{port}/api/v1/artifacts/workspace/bench/bench-1/model", 30)
        time.sleep(1.0)
        rss = rss_mb(process.pid)
        with open(classes) as f:
            sdk = sum(1 for line in f if "software.amazon.awssdk" in line)
        return start, rss, sdk, listing
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data, ignore_errors=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    before = sys.argv[2] if len(sys.argv) > 2 else None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EmptyBucket)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s3_url = f"http://127.0.0.1:{server.server_address[1]}"
    work = tempfile.mkdtemp(prefix="fuseml-s3bench-")
    configs = [("files (after)", AFTER, None), ("S3 via the SDK (after)", AFTER, s3_url)]
    if before:
        configs.insert(0, ("files (before)", before, None))
    results = {name: [] for name, _, _ in configs}
    try:
        measure(AFTER, None, work)  # warm the page cache and the JIT's files once
        for _ in range(rounds):
            for name, app, s3 in configs:  # alternated, so that the machine's noise falls on all alike
                results[name].append(measure(app, s3, work))
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    base = statistics.median(r[0] for r in results[configs[0][0]])
    print(f"{'configuration':26} {'start s (median)':>17} {'ratio':>6} {'RSS MB':>7} {'SDK classes':>12} "
          f"{'listing':>8}  ({rounds} alternated rounds)")
    for name, _, _ in configs:
        r = results[name]
        start = statistics.median(x[0] for x in r)
        print(f"{name:26} {start:17.3f} {start / base:6.2f} {statistics.median(x[1] for x in r):7.0f} "
              f"{max(x[2] for x in r):12d} {r[-1][3]:8d}")


if __name__ == "__main__":
    main()
