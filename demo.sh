#!/usr/bin/env bash
# The main job on one machine: build FuseML, start it, push the wine example, and ask the served model for a
# prediction. Needs Java 17, Maven and Python 3 with venv; nothing else (no Docker, no Kubernetes).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
require demo
# This machine kind reaches no PyPI, only a local mirror of it: use the mirror directly (see README).
if [[ -z "${PIP_INDEX_URL:-}" && -d /opt/pypi/simple ]]; then
  export PIP_INDEX_URL=file:///opt/pypi/simple
fi
./fuseml install
./fuseml push wine examples/sklearn-wine
url=$(./fuseml apps -o json | python3 -c 'import json,sys; print([a["url"] for a in json.load(sys.stdin) if a["name"]=="wine"][0])')
echo "POST $url"
curl -sS -X POST "$url" -H 'Content-Type: application/json' -d '{
  "inputs": [{"name": "wine", "shape": [1, 11], "datatype": "FP32",
              "data": [[7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]]}]}'
echo
