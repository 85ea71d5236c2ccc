"""Replays, without the mlflow package, the HTTP requests the MLflow Python client sends for a typical training script.

`--client 2` replays MLflow 2.22 and `--client 3` replays MLflow 3.6. The replayed script resumes the run named by
$MLFLOW_RUN_ID and sends requests in this order:
    start_run, log_params(alpha, l1_ratio), the sklearn autolog pre-training log-batch (params + tags) and log-inputs,
    log_metrics(rmse, r2, mae), log_metric at steps 0..4, set_tag, mlflow.sklearn.log_model(..., signature=...), end_run
Built by reading MLflow's source at 2.22.1.dev0 (a68ee413) and 3.6.1.dev0 (046e2116). Files read under mlflow/:
tracking/fluent.py, tracking/_tracking_service/client.py, store/tracking/rest_store.py, protos/service.proto,
utils/rest_utils.py, utils/proto_json_utils.py, models/model.py, sklearn/__init__.py, utils/autologging_utils/client.py,
store/artifact/http_artifact_repo.py, store/artifact/mlflow_artifacts_repo.py, data/digest_utils.py.
Request by request: /work/research/mlflow-client-requests.md. Deviations: pickle instead of cloudpickle (MLmodel says
`serialization_format: pickle`), hand-written YAML, uploads in sorted rather than os.walk order, no retries, at most 100
logged-model params. Any answer the real client would reject fails the run: REST calls need exactly 200 and a JSON
object, artifact PUTs a 2xx.
"""
import argparse, base64, getpass, hashlib, importlib.metadata, json, mimetypes, os, pickle, platform, posixpath, re
import sys, tempfile, time, urllib.error, urllib.parse, urllib.request, uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

VERSIONS = {"2": "2.22.0", "3": "3.6.0"}
TEXT_TYPES = {"txt", "yaml", "yml", "json", "csv", "py", "md", "MLmodel", "MLproject"}  # mime_type_utils.py

def key_values(d):
    return [{"key": k, "value": str(v)} for k, v in d.items()]

class Replay:
    def __init__(self, gen, run_id):
        self.gen, self.version, self.run_id = gen, VERSIONS[gen], run_id
        self.uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
        self.headers = {"User-Agent": f"mlflow-python-client/{self.version}",
                        **({"X-MLflow-Client-Version": self.version} if gen == "3" else {})}
        user, password = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
        if user and password:  # rest_utils.http_request: Basic wins over the token
            self.headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        elif os.environ.get("MLFLOW_TRACKING_TOKEN"):
            self.headers["Authorization"] = "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]

    def send(self, method, url, data=None, content_type=None):
        headers = dict(self.headers, **({"Content-Type": content_type} if content_type else {}))
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method), timeout=120) as r:
                status, text = r.status, r.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", errors="replace")
        except urllib.error.URLError as e:
            sys.exit(f"FAILED {method} {url}: {e.reason}")
        print(f"{method} {url} -> {status}")
        if not 200 <= status < 300:
            sys.exit(f"FAILED {method} {url}\n  status: {status}\n  body: {text}")
        return status, text

    def rest(self, method, path, body=None):
        """An /api/2.0/mlflow call: GET bodies go in the query string; checked as rest_utils.verify_rest_response."""
        url, data = f"{self.uri}/api/2.0/mlflow{path}", None
        if method == "GET" and body:
            url += "?" + urllib.parse.urlencode(body, doseq=True)
        elif body is not None:
            data = json.dumps(body).encode()
        status, text = self.send(method, url, data, "application/json" if data is not None else None)
        try:
            parsed = json.loads(text) if text.strip() or self.gen == "2" else {}  # only 3.x accepts an empty 200
        except ValueError:
            parsed = None
        if status != 200 or not isinstance(parsed, dict):
            sys.exit(f"FAILED {method} {url}\n  status: {status} (MLflow needs 200 and a JSON object)\n  body: {text}")
        return parsed

    def get_run(self):
        return self.rest("GET", "/runs/get", {"run_uuid": self.run_id, "run_id": self.run_id})["run"]

    def update_run(self, status, end_time):
        self.rest("POST", "/runs/update", {"run_uuid": self.run_id, "status": status,
                                           **({"end_time": end_time} if end_time else {}), "run_id": self.run_id})

    def artifact_root(self, artifact_uri):
        """MlflowArtifactsRepository.resolve_uri: mlflow-artifacts:/P -> <uri>/api/2.0/mlflow-artifacts/artifacts/P"""
        art, trk = urllib.parse.urlparse(artifact_uri), urllib.parse.urlparse(self.uri)
        if art.scheme in ("http", "https"):
            return artifact_uri.rstrip("/")  # HttpArtifactRepository takes the URI as it is
        if art.scheme != "mlflow-artifacts":
            sys.exit(f"FAILED: artifact URI {artifact_uri} needs a client-side store, not replayable over HTTP")
        base = "/api/2.0/mlflow-artifacts/artifacts"
        path = base + "/" if art.path == "/" else base if art.path == base else f"{trk.path}/{base}/{art.path}"
        url = urllib.parse.urlunparse((trk.scheme, art.netloc or trk.netloc, re.sub("//+", "/", path), "", "", ""))
        return url.replace("///", "/").rstrip("/")

    def upload_dir(self, artifact_uri, local_dir, artifact_path=None):
        """HttpArtifactRepository.log_artifacts: one PUT of the raw bytes per file."""
        root = self.artifact_root(artifact_uri)
        for name in sorted(os.listdir(local_dir)):
            ext = os.path.splitext(name)[1].lstrip(".") or name
            mime = "text/plain" if ext in TEXT_TYPES else mimetypes.guess_type(name)[0] or "application/octet-stream"
            endpoint = posixpath.join("/", *([artifact_path] if artifact_path else []), name)
            self.send("PUT", root + endpoint, Path(local_dir, name).read_bytes(), mime)

def context_tags():
    """The DefaultRunContext tags (tracking/context/default_context.py); the git commit tag is left out."""
    return {"mlflow.user": os.environ.get("MLFLOW_TRACKING_USERNAME") or getpass.getuser(),
            "mlflow.source.name": sys.argv[0], "mlflow.source.type": "LOCAL"}

def dataset_input(df, context):
    """What autolog's log-inputs sends for a pandas DataFrame (data/pandas_dataset.py, data/digest_utils.py)."""
    trimmed = df.head(10000)
    cols = trimmed.columns[(df.map(type) == str).all(axis=0)].union(trimmed.select_dtypes(include=[np.number]).columns)
    parts = [pd.util.hash_pandas_object(trimmed[cols]).values.tobytes(), np.int64(len(df)).tobytes()]
    digest = hashlib.md5(b"".join(parts + [str(c).encode() for c in df]), usedforsecurity=False).hexdigest()[:8]
    schema = [{"type": "double", "name": c, "required": True} for c in df.columns]  # the wine features are all float64
    return {"tags": [{"key": "mlflow.data.context", "value": context}],
            "dataset": {"name": "dataset", "digest": digest, "source_type": "code",
                        "source": json.dumps({"tags": context_tags()}), "schema": json.dumps({"mlflow_colspec": schema}),
                        "profile": json.dumps({"num_rows": len(df), "num_elements": int(df.size)})}}

def pinned(package):
    try:
        return f"{package}=={importlib.metadata.version(package)}"
    except importlib.metadata.PackageNotFoundError:
        return package

def save_model(model, columns, path, version, artifact_path, run_id, model_uuid, model_id=None):
    """mlflow.sklearn.save_model(serialization_format="pickle", signature=...). Returns (utc_time_created, flavors)."""
    (path / "model.pkl").write_bytes(pickle.dumps(model))
    py, created = platform.python_version(), str(datetime.now(timezone.utc).replace(tzinfo=None))
    flavors = {"python_function": {"model_path": "model.pkl", "predict_fn": "predict", "loader_module": "mlflow.sklearn",
                                   "python_version": py, "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}},
               "sklearn": {"pickled_model": "model.pkl", "sklearn_version": sklearn.__version__,
                           "serialization_format": "pickle", "code": None}}
    inputs = json.dumps([{"type": "double", "name": c, "required": True} for c in columns])
    outputs = json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}])
    (path / "MLmodel").write_text(  # the keys in yaml.safe_dump's sorted order
        f"artifact_path: {artifact_path}\nflavors:\n  python_function:\n    env:\n      conda: conda.yaml\n"
        f"      virtualenv: python_env.yaml\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n"
        f"    predict_fn: predict\n    python_version: {py}\n  sklearn:\n    code: null\n    pickled_model: model.pkl\n"
        f"    serialization_format: pickle\n    sklearn_version: {sklearn.__version__}\n"
        f"is_signature_from_type_hint: false\nmlflow_version: {version}\n" + (f"model_id: {model_id}\n" if model_id else "")
        + f"model_size_bytes: {(path / 'model.pkl').stat().st_size}\nmodel_uuid: {model_uuid}\nprompts: null\n"
        f"run_id: {run_id}\nsignature:\n  inputs: '{inputs}'\n  outputs: '{outputs}'\n  params: null\n"
        f"type_hint_from_example: false\nutc_time_created: '{created}'\n")
    requirements = [f"mlflow=={version}", pinned("numpy"), pinned("scikit-learn"), pinned("scipy")]
    build, pip_list = [pinned(p) for p in ("pip", "setuptools", "wheel")], "".join(f"  - {r}\n" for r in requirements)
    (path / "requirements.txt").write_text("\n".join(requirements))
    (path / "conda.yaml").write_text(f"channels:\n- conda-forge\ndependencies:\n- python={py}\n"
                                     f"- {build[0].replace('==', '<=')}\n- pip:\n{pip_list}name: mlflow-env\n")
    (path / "python_env.yaml").write_text(f"python: {py}\nbuild_dependencies:\n" + "".join(f"- {b}\n" for b in build)
                                          + "dependencies:\n- -r requirements.txt\n")
    return created, flavors

def log_model_2(c, model, columns, local):
    """Model.log 2.x: save, log_artifacts(local, "model") under the run's artifact_uri, then runs/log-model."""
    model_uuid = uuid.uuid4().hex
    created, flavors = save_model(model, columns, local, c.version, "model", c.run_id, model_uuid)
    c.upload_dir(c.get_run()["info"]["artifact_uri"], local, "model")
    model_json = {"run_id": c.run_id, "artifact_path": "model", "utc_time_created": created, "model_uuid": model_uuid,
                  "flavors": flavors}  # Model.get_tags_dict()
    c.rest("POST", "/runs/log-model", {"run_id": c.run_id, "model_json": json.dumps(model_json)})

def log_model_3(c, experiment_id, model, columns, local):
    """Model.log 3.x: create a LoggedModel, link it as a run output, re-log step-0 metrics, upload, finalize."""
    params = key_values({p["key"]: p["value"] for p in c.get_run().get("data", {}).get("params", [])})
    logged = c.rest("POST", "/logged-models", {"experiment_id": experiment_id, "name": "model", "source_run_id": c.run_id,
                                              **({"params": params[:100]} if params else {}),
                                              "tags": key_values(context_tags())})["model"]["info"]
    model_id = logged["model_id"]
    c.rest("POST", "/runs/outputs", {"run_id": c.run_id, "models": [{"model_id": model_id, "step": 0}]})
    step0 = []  # log_model_metrics_for_step: every step-0 metric without a model_id is logged again with it
    for key in [m["key"] for m in c.get_run().get("data", {}).get("metrics", [])]:
        query = {"run_uuid": c.run_id, "metric_key": key, "run_id": c.run_id, "max_results": 25000}
        while True:
            page = c.rest("GET", "/metrics/get-history", query)
            step0 += [{"key": m["key"], "value": m["value"], "timestamp": int(m["timestamp"]), "step": 0,
                       **{k: m[k] for k in ("dataset_name", "dataset_digest") if m.get(k)}, "model_id": model_id,
                       **({"run_id": m["run_id"]} if m.get("run_id") else {})}
                      for m in page.get("metrics", []) if int(m.get("step", 0)) == 0 and not m.get("model_id")]
            if not page.get("next_page_token"):
                break
            query["page_token"] = page["next_page_token"]
    if step0:
        c.rest("POST", "/runs/log-batch", {"run_id": c.run_id, "metrics": step0})
    save_model(model, columns, local, c.version, logged["artifact_uri"], c.run_id, model_id, model_id)
    artifact_uri = c.rest("GET", f"/logged-models/{model_id}")["model"]["info"]["artifact_uri"]
    c.upload_dir(artifact_uri, local)  # straight under the model's artifact_uri, no "model/" prefix
    c.rest("PATCH", f"/logged-models/{model_id}", {"model_id": model_id, "status": "LOGGED_MODEL_READY"})

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--client", choices=VERSIONS, default="2")
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--l1-ratio", type=float, default=0.1)
    args = parser.parse_args()
    c = Replay(args.client, os.environ["MLFLOW_RUN_ID"])
    print(f"replaying mlflow {c.version} for run {c.run_id} (experiment {os.environ.get('MLFLOW_EXPERIMENT_ID')})")
    # start_run() resuming MLFLOW_RUN_ID (fluent.start_run): get, update to RUNNING keeping end_time, get again
    info = c.get_run()["info"]
    if info.get("lifecycle_stage") == "deleted":
        sys.exit(f"FAILED: run {c.run_id} is deleted")
    c.update_run("RUNNING", int(info.get("end_time") or 0))
    info = c.get_run()["info"]
    if (info.get("run_id") or (info.get("run_uuid") if c.gen == "2" else None)) != c.run_id:
        sys.exit(f"FAILED: runs/get answered run.info.run_id={info.get('run_id')!r}, expected {c.run_id}")

    log_params = {"alpha": args.alpha, "l1_ratio": args.l1_ratio}
    c.rest("POST", "/runs/log-batch", {"run_id": c.run_id, "params": key_values(log_params)})  # mlflow.log_params
    data = pd.read_csv(Path(__file__).parent / "wine-quality.csv")
    train, test = train_test_split(data, random_state=42)
    train_x, test_x = train.drop(["quality"], axis=1), test.drop(["quality"], axis=1)
    train_y, test_y = train["quality"], test["quality"]
    model = ElasticNet(alpha=args.alpha, l1_ratio=args.l1_ratio, random_state=42)

    # sklearn autolog, pre-training: params + estimator tags in one log-batch, then the training dataset
    tags = {"estimator_name": type(model).__name__, "estimator_class": f"{type(model).__module__}.{type(model).__name__}"}
    c.rest("POST", "/runs/log-batch", {"run_id": c.run_id, "params": key_values(model.get_params()),
                                       "tags": key_values(tags)})
    c.rest("POST", "/runs/log-inputs", {"run_id": c.run_id, "datasets": [dataset_input(train_x, "train")]})
    model.fit(train_x, train_y)
    predicted = model.predict(test_x)
    metrics = {"rmse": float(np.sqrt(mean_squared_error(test_y, predicted))), "r2": float(r2_score(test_y, predicted)),
               "mae": float(mean_absolute_error(test_y, predicted))}
    print(f"ElasticNet(alpha={args.alpha}, l1_ratio={args.l1_ratio}): {metrics}")
    ts, run_id_field = time.time_ns() // 1_000_000, ({"run_id": c.run_id} if c.gen == "3" else {})  # 3.x adds run_id
    c.rest("POST", "/runs/log-batch", {"run_id": c.run_id, "metrics": [
        {"key": k, "value": v, "timestamp": ts, "step": 0, **run_id_field} for k, v in metrics.items()]})
    for step, fraction in enumerate((0.2, 0.4, 0.6, 0.8, 1.0)):  # log_metric(k, v, step=i): a learning curve
        n = int(len(train_x) * fraction)
        part = ElasticNet(alpha=args.alpha, l1_ratio=args.l1_ratio, random_state=42).fit(train_x[:n], train_y[:n])
        rmse = float(np.sqrt(mean_squared_error(test_y, part.predict(test_x))))
        c.rest("POST", "/runs/log-metric", {"run_uuid": c.run_id, "key": "rmse_learning_curve", "value": rmse,
                                            "timestamp": time.time_ns() // 1_000_000, "step": step, "run_id": c.run_id})
    c.rest("POST", "/runs/set-tag", {"run_uuid": c.run_id, "key": "replayed_client",  # set_tag
                                     "value": f"mlflow-python-client/{c.version}", "run_id": c.run_id})

    with tempfile.TemporaryDirectory() as local:  # mlflow.sklearn.log_model
        if c.gen == "2":
            log_model_2(c, model, list(train_x.columns), Path(local))
        else:
            log_model_3(c, info["experiment_id"], model, list(train_x.columns), Path(local))
    # end_run(): set_terminated's _log_url reads the run, then the run is updated to FINISHED with its end_time
    info = c.get_run()["info"]
    print(f"View run {info.get('run_name')} at: {c.uri}/#/experiments/{info.get('experiment_id')}/runs/{c.run_id}")
    c.update_run("FINISHED", time.time_ns() // 1_000_000)

if __name__ == "__main__":
    main()
