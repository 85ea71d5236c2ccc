"""FuseML training Job runner (kubernetes platform): runs one training, stores its model, reports the result.

The train step creates a Job whose container runs this script in the project's environment image, with the
project's code checked out at the run's commit in the working directory:
    python /fuseml/fuseml_job.py -- bash -c "<the entry point's command>"
It runs the command with FuseML's training contract (FUSEML_MODEL_DIR, FUSEML_METRICS_FILE), sends its output to
the run's log at the control plane, uploads the model directory to the run's artifact URI, and posts the
dev.fuseml.trained (or dev.fuseml.failed) CloudEvent to the org's broker ($K_SINK) itself, so that no step process
has to stay up while the training runs. Standard library only: the environment image has whatever the project
asked for and nothing else.
"""
import collections
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

EXCERPT_LINES = 20
PYTHON_ERROR = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*")


class Refused(RuntimeError):
    """The control plane refused a request (4xx): its status and its JSON error, if any."""

    def __init__(self, method, path, code, body):
        super().__init__("%s %s: %s %s" % (method, path, code, body[:200]))
        self.code = code
        try:
            self.error = json.loads(body).get("error", "")
        except ValueError:
            self.error = ""


class ControlPlane:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, content_type="application/octet-stream", attempts=8):
        delay = 0.2
        for attempt in range(attempts):
            request = urllib.request.Request(self.url + path, data=body, method=method)
            request.add_header("Content-Type", content_type)
            if self.token:
                request.add_header("Authorization", "Bearer " + self.token)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.read()
            except urllib.error.HTTPError as e:
                if e.code < 500 and e.code not in (404, 429):
                    raise Refused(method, path, e.code, e.read())
                if attempt == attempts - 1:
                    raise
            except OSError:
                if attempt == attempts - 1:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 5)


class RunLog:
    """Lines of the training's output, sent to the run's log every second (as the local trainer's are)."""

    def __init__(self, control, run):
        self.control, self.run = control, run
        self.pending, self.lock = [], threading.Lock()

    def append(self, line):
        with self.lock:
            self.pending.append(line)

    def flush(self):
        with self.lock:
            lines, self.pending = self.pending, []
        if lines:
            try:
                self.control.call("POST", "/api/v1/runs/%s/log" % self.run, ("\n".join(lines) + "\n").encode(),
                                  "text/plain")
            except Exception as e:  # noqa: BLE001 - the log is best effort; the result is not
                print("fuseml: could not send log lines: %s" % e, file=sys.stderr)


def segment(name):
    return urllib.parse.quote(name, safe="")


def artifact_path(artifact_uri):
    prefix = "fuseml-artifacts:/"
    if not artifact_uri.startswith(prefix):
        raise RuntimeError("not an artifact URI: %s" % artifact_uri)
    return "/api/v1/artifacts/" + artifact_uri[len(prefix):]


def put_file(control, artifact_uri, name, body):
    control.call("PUT", artifact_path(artifact_uri) + "/" + segment(name), body)


def upload(control, artifact_uri, model_dir):
    path = artifact_path(artifact_uri)
    control.call("DELETE", path, b"", "text/plain")
    for root, _, files in os.walk(model_dir):
        for name in sorted(files):
            full = os.path.join(root, name)
            relative = os.path.relpath(full, model_dir).split(os.sep)
            with open(full, "rb") as f:
                control.call("PUT", path + "/" + "/".join(segment(p) for p in relative), f.read())


def broker_token(env):
    """The token the org's Broker takes: with Knative's sender identity on, a service account token for the
    Broker's audience (projected into the pod and renewed by the kubelet, so it is read when it is used); else
    the org's FuseML token, which a Broker without sender identity ignores."""
    path = env.get("FUSEML_BROKER_TOKEN_FILE")
    if path:
        with open(path) as f:
            return f.read().strip()
    return env.get("FUSEML_TOKEN", "")


def post_event(sink, token, event_type, data, extensions, control_url):
    body = json.dumps(data).encode()
    request = urllib.request.Request(sink, data=body, method="POST")
    headers = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": str(uuid.uuid4()),
        "ce-type": event_type,
        "ce-source": "fuseml/train",
        "ce-subject": extensions["fusemlapp"],
        "ce-time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "ce-dataschema": "%s/schemas/%s.json" % (control_url.rstrip("/"), event_type),
    }
    for name, value in extensions.items():
        headers["ce-" + name] = urllib.parse.quote(value, safe="")
    if token:
        headers["Authorization"] = "Bearer " + token
    for name, value in headers.items():
        request.add_header(name, value)
    delay = 0.2
    for attempt in range(10):
        try:
            with urllib.request.urlopen(request, timeout=30):
                return
        except (urllib.error.HTTPError, OSError) as e:
            if isinstance(e, urllib.error.HTTPError) and e.code < 500 and e.code not in (404, 429):
                raise RuntimeError("the broker refused %s: %s" % (event_type, e.code))
            if attempt == 9:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5)


def error_line(lines):
    for line in reversed(lines):
        if PYTHON_ERROR.match(line.strip()):
            return line.strip()
    for line in reversed(lines):
        if line.strip():
            return line.strip()
    return "it printed nothing"


def read_metrics(path):
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        metrics = json.load(f)
    if not isinstance(metrics, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                for v in metrics.values()):
        raise ValueError("$FUSEML_METRICS_FILE must hold a JSON object of metric name to number")
    return {k: float(v) for k, v in metrics.items()}


def end_tracking(control, run, env, succeeded, adopt):
    """Ends the run's MLflow run (when the code did not) and reads what it logged: its params and last metrics, and,
    with adopt, the model it logged through MLflow, which the control plane stores at $FUSEML_MODEL_URI."""
    if not env.get("MLFLOW_RUN_ID"):
        return {}
    body = {"status": "FINISHED" if succeeded else "FAILED", "adoptModel": adopt,
            "modelName": env.get("FUSEML_SERVING_MODEL")}
    if env.get("FUSEML_TRACKING_SERVER"):  # the run is on the team's MLflow server: the control plane ends it there
        body.update(teamServer=env["FUSEML_TRACKING_SERVER"], mlflowRunId=env["MLFLOW_RUN_ID"],
                    experimentId=env.get("MLFLOW_EXPERIMENT_ID"))
    try:
        answer = control.call("POST", "/api/v1/runs/%s/tracking/end" % run, json.dumps(body).encode(),
                              "application/json")
    except Refused as e:
        if e.code == 422 and e.error:  # the run logged no model, or several and MLproject names none of them
            raise ValueError(e.error)
        raise
    return json.loads(answer or b"{}")


def dvc_pull(remote, config, child_env, log, last):
    """Pulls the data DVC pins from the org's dvc-remote extension, as the embedded default's training does: the
    remote (its URL and credentials, from the run's Secret) as DVC's local config, 0600, removed after the pull, so
    the training's code never reads it. Returns the cause of a failure, or None."""
    local = os.path.join(".dvc", "config.local")
    if os.path.islink(".dvc") or not os.path.isdir(".dvc"):
        return "the project's .dvc is not a directory: dvc init makes one"
    if os.path.lexists(local):
        os.remove(local)
    # made anew, 0600 from the start, never through a link the project put there
    fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(config)
    log.append("[train] pulling the data DVC pins from dvc-remote extension %s" % remote)
    try:
        process = subprocess.Popen(["dvc", "pull", "--remote", remote], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=child_env, text=True, errors="replace")
        for line in process.stdout:
            line = line.rstrip("\n")
            last.append(line)
            log.append(line)
        code = process.wait()
    except OSError as e:
        return "dvc pull could not start (%s): add dvc to the project's requirements" % e
    finally:
        os.remove(local)
    if code != 0:
        return ("dvc pull from dvc-remote extension %s exited with code %d: %s; check the extension's URL and "
                "credentials (fuseml extensions add %s ... replaces them)" % (remote, code, error_line(list(last)),
                                                                               remote))
    return None


def main():
    if "--" not in sys.argv:
        print("usage: fuseml_job.py -- COMMAND...", file=sys.stderr)
        return 2
    command = sys.argv[sys.argv.index("--") + 1:]
    env = os.environ
    control = ControlPlane(env["FUSEML_CONTROL_PLANE"], env.get("FUSEML_TOKEN", ""))
    run, model_dir, metrics_file = env["FUSEML_RUN_ID"], env["FUSEML_MODEL_DIR"], env["FUSEML_METRICS_FILE"]
    extensions = {"fusemlorg": env["FUSEML_ORG"], "fusemlapp": env["FUSEML_APP"], "fusemlrun": run}
    base = json.loads(env["FUSEML_TRAINED_BASE"])  # the trained event's fields known before training
    os.makedirs(model_dir, exist_ok=True)
    log = RunLog(control, run)
    last = collections.deque(maxlen=EXCERPT_LINES)
    # The token stays with this script: the user's code gets the training contract and nothing of FuseML's own.
    child_env = {k: v for k, v in env.items()
                 if k not in ("FUSEML_TOKEN", "FUSEML_TRAINED_BASE", "FUSEML_DVC_CONFIG")}
    child_env["PYTHONUNBUFFERED"] = "1"
    if env.get("FUSEML_DVC_CONFIG") and env.get("FUSEML_DVC_REMOTE"):
        pulled = dvc_pull(env["FUSEML_DVC_REMOTE"], env["FUSEML_DVC_CONFIG"], child_env, log, last)
        if pulled is not None:
            log.append("[train] failed: " + pulled)
            log.flush()
            post_event(env["K_SINK"], broker_token(env), "dev.fuseml.failed", {
                "step": "train", "cause": pulled, "logExcerpt": "\n".join(last)}, extensions, control.url)
            return 1
    log.append("[train] running in pod %s: %s" % (env.get("HOSTNAME", "?"), " ".join(command[2:] or command)))
    started = time.time()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=child_env,
                               text=True, errors="replace")
    next_flush = time.time() + 1
    for line in process.stdout:
        sys.stdout.write(line)
        line = line.rstrip("\n")
        last.append(line)
        log.append(line)
        if time.time() >= next_flush:
            log.flush()
            next_flush = time.time() + 1
    code = process.wait()
    log.append("[train] the training process ran %d ms (exit code %d)" % ((time.time() - started) * 1000, code))
    excerpt = "\n".join(last)
    cause = None
    metrics = {}
    if code != 0:
        cause = "the training process exited with code %d: %s" % (code, error_line(list(last)))
    elif not os.path.isfile(os.path.join(model_dir, "MLmodel")) and (os.listdir(model_dir)
                                                                      or not env.get("MLFLOW_RUN_ID")):
        cause = "the training process wrote no usable model: no MLmodel file in $FUSEML_MODEL_DIR"
    else:
        try:
            metrics = read_metrics(metrics_file)
            adopt = not os.path.isfile(os.path.join(model_dir, "MLmodel"))
            tracked = end_tracking(control, run, env, True, adopt)
            metrics.update({k: v for k, v in tracked.get("metrics", {}).items()
                            if isinstance(v, (int, float)) and v == v and abs(v) != float("inf")})
            base["params"] = dict(tracked.get("params", {}), **(base.get("params") or {}))
            if adopt:  # the control plane stored the model the run logged at $FUSEML_MODEL_URI
                log.append("[train] took the model the run logged through MLflow")
            requirements = "/opt/fuseml/requirements.txt"
            if os.path.isfile(requirements) and not os.path.exists(os.path.join(model_dir, "requirements.txt")):
                with open(requirements, "rb") as src, open(os.path.join(model_dir, "requirements.txt"), "wb") as d:
                    d.write(src.read())
            if not adopt:
                if env.get("FUSEML_SERVING_SETTINGS"):  # the MLproject's serving section travels with the model
                    with open(os.path.join(model_dir, "fuseml-serving.json"), "w") as f:
                        f.write(env["FUSEML_SERVING_SETTINGS"])
                upload(control, env["FUSEML_MODEL_URI"], model_dir)
            elif env.get("FUSEML_SERVING_SETTINGS"):
                put_file(control, env["FUSEML_MODEL_URI"], "fuseml-serving.json",
                         env["FUSEML_SERVING_SETTINGS"].encode())
            log.append("[train] model stored at %s" % env["FUSEML_MODEL_URI"])
        except Exception as e:  # noqa: BLE001 - any failure here fails the run with its cause
            cause = "the model could not be stored: %s" % e
    log.flush()
    sink, token = env["K_SINK"], broker_token(env)
    if cause is None:
        data = dict(base, modelUri=env["FUSEML_MODEL_URI"], metrics=metrics)
        post_event(sink, token, "dev.fuseml.trained", data, extensions, control.url)
        return 0
    if code != 0:
        try:
            end_tracking(control, run, env, False, False)
        except Exception as e:  # noqa: BLE001 - the run fails with its own cause either way
            log.append("[train] could not mark the MLflow run failed: %s" % e)
    log.append("[train] failed: " + cause)
    log.flush()
    post_event(sink, token, "dev.fuseml.failed", {"step": "train", "cause": cause, "logExcerpt": excerpt},
               extensions, control.url)
    return 1


if __name__ == "__main__":
    sys.exit(main())
