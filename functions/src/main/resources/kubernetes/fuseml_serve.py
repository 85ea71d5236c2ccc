"""FuseML model server (kubernetes platform): one app's model behind the KServe V2 protocol, in a Knative Service.

The serve step makes a Knative Service per app whose container runs this script in the environment image the model
was trained in. It fetches the model directory from the control plane's artifact store (FUSEML_MODEL_URI), loads
the MLflow sklearn flavor's pickle, and answers on $PORT:
  GET  /v2/health/live, /v2/health/ready, /v2/models/NAME, /v2/models/NAME/ready
  POST /v2/models/NAME/infer (Open Inference Protocol), /v1/models/NAME:predict, /invocations (MLflow)
When FUSEML_PREDICTION_TOKEN_SHA256 is set (fuseml protect), predictions need that token as a Bearer token.
Standard library plus what the model needs: the environment image has the project's dependencies and nothing else.
"""
import hashlib
import hmac
import json
import os
import pickle
import re
import sys
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 << 20


class BadRequest(Exception):
    pass


def fetch_model(control, token, artifact_uri, target):
    prefix = "fuseml-artifacts:/"
    if not artifact_uri.startswith(prefix):
        raise SystemExit("FUSEML_MODEL_URI is not an artifact URI: %s" % artifact_uri)
    base = control.rstrip("/") + "/api/v1/artifacts/" + artifact_uri[len(prefix):]

    def get(url):
        request = urllib.request.Request(url)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    listing = json.loads(get(base))
    root = os.path.realpath(target)
    for entry in listing.get("files", []):
        relative = entry["path"]
        path = os.path.realpath(os.path.join(root, relative))
        if not path.startswith(root + os.sep):
            raise SystemExit("the artifact lists a file outside it: %s" % relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        quoted = "/".join(urllib.parse.quote(p, safe="") for p in relative.split("/"))
        with open(path, "wb") as f:
            f.write(get(base + "/" + quoted))


def load_model(model_dir):
    """The sklearn flavor's pickle, as MLflow's MLmodel file names it."""
    with open(os.path.join(model_dir, "MLmodel"), encoding="utf-8") as f:
        mlmodel = f.read()
    pickled = re.search(r"^\s+pickled_model:\s*(\S+)", mlmodel, re.M)
    serialization = re.search(r"^\s+serialization_format:\s*(\S+)", mlmodel, re.M)
    if not pickled:
        raise SystemExit("the model has no sklearn flavor with a pickled_model: this server loads sklearn models")
    loader = pickle
    if serialization and serialization.group(1) == "cloudpickle":
        import cloudpickle as loader
    with open(os.path.join(model_dir, pickled.group(1)), "rb") as f:
        return loader.load(f)


def rows_of_v2(body):
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise BadRequest("'inputs' must be a non-empty array of tensors {name, shape, datatype, data}")
    for t in inputs:
        if not isinstance(t, dict) or not isinstance(t.get("shape"), list) or not isinstance(t.get("data"), list):
            raise BadRequest("each input needs 'name', 'shape' and 'data'")
    if len(inputs) == 1 and len(inputs[0]["shape"]) == 2:
        n, k = inputs[0]["shape"]
        data = inputs[0]["data"]
        if len(data) == n and all(isinstance(r, list) for r in data):
            return None, data
        if len(data) != n * k:
            raise BadRequest("input '%s' has %d values for shape %s" % (inputs[0].get("name"), len(data), [n, k]))
        return None, [data[r * k:(r + 1) * k] for r in range(n)]
    columns = [t.get("name") for t in inputs]
    n = len(inputs[0]["data"])
    if any(len(t["data"]) != n for t in inputs):
        raise BadRequest("inputs have different numbers of rows")
    return columns, [[t["data"][r] for t in inputs] for r in range(n)]


class Server:
    def __init__(self, name, model, token_sha256):
        self.name, self.model, self.token_sha256 = name, model, token_sha256

    def predict(self, columns, rows):
        import numpy as np
        features = [str(f) for f in getattr(self.model, "feature_names_in_", [])]
        try:
            import pandas as pd
            if columns:
                x = pd.DataFrame(rows, columns=columns)
            elif features and rows and len(rows[0]) == len(features):
                x = pd.DataFrame(rows, columns=features)
            else:
                x = np.asarray(rows)
        except ImportError:
            x = np.asarray(rows)
        try:
            return np.asarray(self.model.predict(x)).tolist()
        except (ValueError, TypeError, KeyError, IndexError) as e:
            raise BadRequest("%s: %s" % (type(e).__name__, e))


def handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # requests are not logged: bodies may carry users' data
            pass

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path in ("/v2/health/live", "/v2/health/ready", "/v2/models/%s/ready" % server.name):
                self.reply(200, {"live": True} if self.path.endswith("live") else {"ready": True})
            elif self.path == "/v2/models/%s" % server.name:
                self.reply(200, {"name": server.name, "platform": "sklearn", "versions": []})
            else:
                self.reply(404, {"error": "no route %s: predictions go to /v2/models/%s/infer" % (self.path,
                                                                                                server.name)})

        def do_POST(self):
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit():
                return self.reply(411, {"error": "send the body with a Content-Length"})
            if int(length) > MAX_BODY:
                return self.reply(413, {"error": "the body is larger than %d bytes: send fewer rows" % MAX_BODY})
            raw = self.rfile.read(int(length))
            if server.token_sha256:
                given = self.headers.get("Authorization", "")
                digest = hashlib.sha256(given[7:].encode()).hexdigest() if given.startswith("Bearer ") else ""
                if not hmac.compare_digest(digest, server.token_sha256):
                    return self.reply(401, {"error": "this app's predictions need its token: "
                                                     "Authorization: Bearer TOKEN (fuseml protect)"})
            try:
                body = json.loads(raw)
                if self.path == "/v2/models/%s/infer" % server.name:
                    columns, rows = rows_of_v2(body)
                    predictions = server.predict(columns, rows)
                    self.reply(200, {"model_name": server.name, "id": body.get("id", ""), "outputs": [
                        {"name": "predict", "shape": [len(predictions)], "datatype": "FP64", "data": predictions}]})
                elif self.path == "/v1/models/%s:predict" % server.name:
                    if not isinstance(body, dict) or not isinstance(body.get("instances"), list):
                        raise BadRequest("'instances' must be an array of rows")
                    self.reply(200, {"predictions": server.predict(None, body["instances"])})
                elif self.path == "/invocations":
                    split = body.get("dataframe_split") if isinstance(body, dict) else None
                    if isinstance(split, dict):
                        predictions = server.predict(split.get("columns"), split.get("data", []))
                    elif isinstance(body, dict) and isinstance(body.get("instances") or body.get("inputs"), list):
                        predictions = server.predict(None, body.get("instances") or body.get("inputs"))
                    else:
                        raise BadRequest("send {'dataframe_split': {columns, data}} or {'instances': rows}")
                    self.reply(200, {"predictions": predictions})
                else:
                    self.reply(404, {"error": "no route %s: predictions go to /v2/models/%s/infer"
                                              % (self.path, server.name)})
            except (ValueError, BadRequest) as e:
                self.reply(400, {"error": str(e)})
            except Exception as e:  # noqa: BLE001 - every request gets an answer
                self.reply(500, {"error": "%s: %s" % (type(e).__name__, e)})

    return Handler


def main():
    env = os.environ
    model_dir = env.get("FUSEML_MODEL_DIR") or "/tmp/fuseml-model"
    if not os.path.isfile(os.path.join(model_dir, "MLmodel")):
        os.makedirs(model_dir, exist_ok=True)
        fetch_model(env["FUSEML_CONTROL_PLANE"], env.get("FUSEML_TOKEN", ""), env["FUSEML_MODEL_URI"], model_dir)
    server = Server(env["FUSEML_MODEL_NAME"], load_model(model_dir), env.get("FUSEML_PREDICTION_TOKEN_SHA256", ""))
    port = int(env.get("PORT", "8080"))
    httpd = ThreadingHTTPServer((env.get("FUSEML_HOST", "0.0.0.0"), port), handler(server))
    print("fuseml: %s serves at :%d/v2/models/%s/infer" % (server.name, port, server.name), flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
