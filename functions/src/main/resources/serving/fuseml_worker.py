"""FuseML prediction worker: loads one MLflow sklearn model and answers predict requests.

Protocol (one JSON object per line): the worker writes {"ready": true} once the model is loaded; then for each
request {"columns": [...] or null, "data": [[...], ...]} on stdin it writes {"predictions": [...]} or
{"error": "...", "input": true|false} on its protocol stream. "input" errors (the request's data does not fit the
model) become HTTP 400, others 500. The orchestrator's HTTP front validates the protocol; this process only predicts.
"""
import json
import os
import sys


def main():
    model_file, serialization = sys.argv[1], sys.argv[2]
    # Keep the protocol stream for ourselves: anything the model's code prints goes to stderr (the server log).
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    if serialization == "cloudpickle":
        import cloudpickle as loader
    else:
        import pickle as loader
    with open(model_file, "rb") as f:
        model = loader.load(f)
    import numpy as np
    try:
        import pandas as pd
    except ImportError:
        pd = None
    feature_names = [str(n) for n in getattr(model, "feature_names_in_", [])]

    def answer(obj):
        protocol.write(json.dumps(obj) + "\n")
        protocol.flush()

    answer({"ready": True, "python": sys.version.split()[0], "features": feature_names})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            columns, data = request.get("columns"), request["data"]
            if pd is not None and columns:
                X = pd.DataFrame(data, columns=columns)
            elif pd is not None and feature_names and data and isinstance(data[0], list) \
                    and len(data[0]) == len(feature_names):
                X = pd.DataFrame(data, columns=feature_names)
            else:
                X = np.asarray(data)
            predictions = np.asarray(model.predict(X)).tolist()
            answer({"predictions": predictions})
        except (ValueError, TypeError, KeyError, IndexError) as e:
            answer({"error": "%s: %s" % (type(e).__name__, e), "input": True})
        except Exception as e:  # noqa: BLE001 - the worker must answer every request
            answer({"error": "%s: %s" % (type(e).__name__, e), "input": False})


if __name__ == "__main__":
    main()
