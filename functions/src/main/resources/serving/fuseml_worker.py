"""FuseML prediction worker: serves one MLflow sklearn model at a time, over JSON lines.

It starts without a model and imports the heavy libraries at once, so that it can wait as a warm spare; loading a
model into a warm worker then takes milliseconds instead of seconds.

Protocol (one JSON object per line, requests on stdin, answers on the protocol stream):
  (start)                                              -> {"ready": true, "python": "3.11.7"}
  {"load": "/path/model.pkl", "serialization": "pickle"} -> {"loaded": true, "features": [...]} or {"error": ...}
  {"columns": [...] or null, "data": [[...], ...]}     -> {"predictions": [...]} or {"error": ..., "input": bool}
"input" errors (the data does not fit the model) become HTTP 400, others 500. The orchestrator's HTTP front checks
the protocols; this process only loads and predicts. It exits when stdin closes.
"""
import json
import os
import sys


def main():
    # Keep the protocol stream for ourselves: anything the model's code prints goes to stderr (the server log).
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def answer(obj):
        protocol.write(json.dumps(obj) + "\n")
        protocol.flush()

    import pickle
    import numpy as np
    try:
        import pandas as pd
    except ImportError:
        pd = None
    try:
        import sklearn.base  # noqa: F401 - warms the import of what unpickling a model needs
        import sklearn.linear_model  # noqa: F401
    except ImportError:
        pass

    model, feature_names = None, []
    answer({"ready": True, "python": sys.version.split()[0]})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if "load" in request:
                if request.get("serialization") == "cloudpickle":
                    import cloudpickle as loader
                else:
                    loader = pickle
                with open(request["load"], "rb") as f:
                    model = loader.load(f)
                feature_names = [str(n) for n in getattr(model, "feature_names_in_", [])]
                answer({"loaded": True, "features": feature_names})
                continue
            if model is None:
                answer({"error": "no model is loaded", "input": False})
                continue
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
