#!/usr/bin/env bash
# Serving throughput and latency (issue 8's benchmark): single-row V2 infer requests for the wine model over
# loopback, closed loop with 8 connections and at a fixed offered rate, for (a) the ONNX path (ONNX Runtime in the
# orchestrator's JVM), (b) the sklearn path (batched Python workers), (c) a FastAPI/uvicorn baseline loading the same
# sklearn model and predicting per request, and (d) FuseML's HTTP front answering a constant (the ceiling).
# Usage: bench/serving.sh [SECONDS] [RATE]   (defaults 10 and 500)
#        bench/serving.sh --bursts [ROUNDS]   the sklearn path and the baseline only, each given 8 s of load after
#                                             16 s idle, alternated (defaults to 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
BURSTS=
if [[ "${1:-}" == --bursts ]]; then
  BURSTS=${2:-5}
  set -- 8 0
fi
SECONDS_EACH=${1:-10}
RATE=${2:-500}
[[ -f cli/target/fuseml-cli.jar && -f functions/target/quarkus-app/quarkus-run.jar ]] || mvn -B -q -ntp install -DskipTests
[[ -d functions/target/test-classes/dev/fuseml/bench ]] || mvn -B -q -ntp test-compile -pl functions

home=$(mktemp -d)
export FUSEML_CONFIG=$home/config.yaml XDG_DATA_HOME=$home/data
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  ./fuseml uninstall --purge >/dev/null 2>&1 || true
  rm -rf "$home"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
url_of() { ./fuseml apps -o json | python3 -c "import json,sys; print([a['url'] for a in json.load(sys.stdin) if a['name']=='$1'][0])"; }

./fuseml install >/dev/null
./fuseml push wine examples/sklearn-wine >/dev/null
./fuseml push onnx-wine examples/onnx-wine >/dev/null
orchestrator=$(grep -E '^pid:' "$FUSEML_CONFIG" | awk '{print $2}')
workers=$(pgrep -P "$orchestrator" -f fuseml_worker.py | paste -sd, -)

# (c) the baseline, in a venv of its own with FastAPI and uvicorn, serving the model the sklearn path serves
python3 -m venv "$home/baseline"
"$home/baseline/bin/pip" install -q numpy pandas scikit-learn fastapi uvicorn
model=$(find "$XDG_DATA_HOME/fuseml/artifacts/workspace/wine" -name model.pkl | head -1)
baseline_port=$(free_port)
MODEL=$model "$home/baseline/bin/uvicorn" --app-dir bench fastapi_baseline:app --port "$baseline_port" \
  --log-level warning &
pids+=($!)
baseline_pid=$!

# (d) the same HTTP front (PredictionServer) answering a constant
front_port=$(free_port)
java -XX:+UseSerialGC -Xmx256m -cp "functions/target/quarkus-app/lib/main/*:functions/target/classes:functions/target/test-classes" \
  dev.fuseml.bench.ConstantFront "$front_port" >/dev/null &
pids+=($!)
front_pid=$!
for port in "$baseline_port" "$front_port"; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

if [[ -n "$BURSTS" ]]; then
  echo "bench/serving.sh --bursts: wine model, one row per request, $(nproc) cores, $(date -u +%F)"
  java -Didle=16 -Drounds="$BURSTS" bench/ServingBench.java 8 0 \
    "sklearn=$(url_of wine)=$orchestrator,$workers" \
    "fastapi=http://127.0.0.1:$baseline_port/v2/models/wine/infer=$baseline_pid"
  exit 0
fi
echo "bench/serving.sh: ${SECONDS_EACH}s per loop, wine model, one row per request, $(nproc) cores, $(date -u +%F)"
echo "RSS: onnx = the orchestrator; sklearn = the orchestrator + its Python workers ($workers)"
java bench/ServingBench.java "$SECONDS_EACH" "$RATE" \
  "onnx=$(url_of onnx-wine)=$orchestrator" \
  "sklearn=$(url_of wine)=$orchestrator,$workers" \
  "fastapi=http://127.0.0.1:$baseline_port/v2/models/wine/infer=$baseline_pid" \
  "constant=http://127.0.0.1:$front_port/v2/models/wine/infer=$front_pid"
