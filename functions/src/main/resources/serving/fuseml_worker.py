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
import numbers
import os
import sys
import warnings


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

    # A model fitted on a DataFrame warns when given an array; the fast path below gives it one on purpose.
    warnings.filterwarnings("ignore", message="X does not have valid feature names")

    def takes_arrays(model, width):
        """Whether the model predicts a plain array as well as a DataFrame (a pipeline that selects columns by
        name does not): building a DataFrame costs ~0.6 ms a call, ten times a linear model's prediction."""
        try:
            model.predict(np.zeros((1, width)))
            return True
        except Exception:  # noqa: BLE001 - any failure means: keep to DataFrames
            return False

    def numeric(data):
        return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for row in data for v in row)

    model, feature_names, arrays = None, [], False
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
                arrays = bool(feature_names) and takes_arrays(model, len(feature_names))
                answer({"loaded": True, "features": feature_names, "arrays": arrays})
                continue
            if model is None:
                answer({"error": "no model is loaded", "input": False})
                continue
            columns, data = request.get("columns"), request["data"]
            if pd is not None and columns:
                X = pd.DataFrame(data, columns=columns)
            elif arrays and data and isinstance(data[0], list) and len(data[0]) == len(feature_names) \
                    and numeric(data):
                X = np.asarray(data, dtype=float)
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
