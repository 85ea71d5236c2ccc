"""The MLflow wine-quality tutorial, trained under FuseML.

Predicts the quality of white wine (3 to 9) from 11 physicochemical features with an ElasticNet. Follows FuseML's
contract: the model goes to $FUSEML_MODEL_DIR in MLflow format (an MLmodel file and the pickled model it names) and
the metrics to $FUSEML_METRICS_FILE as a JSON object.
Data: P. Cortez et al., "Modeling wine preferences by data mining from physicochemical properties", 2009 (CC BY 4.0).
"""
import json
import os
import pickle
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split


def save_mlflow_model(model, columns, model_dir):
    """Writes the model as MLflow's sklearn flavor would, without needing the mlflow package."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    signature_inputs = json.dumps([{"name": c, "type": "double"} for c in columns])
    signature_outputs = json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}])
    (model_dir / "MLmodel").write_text(
        "flavors:\n"
        "  python_function:\n"
        "    loader_module: mlflow.sklearn\n"
        "    model_path: model.pkl\n"
        f"    python_version: {platform.python_version()}\n"
        "  sklearn:\n"
        "    pickled_model: model.pkl\n"
        "    serialization_format: pickle\n"
        f"    sklearn_version: {sklearn.__version__}\n"
        "signature:\n"
        f"  inputs: '{signature_inputs}'\n"
        f"  outputs: '{signature_outputs}'\n"
    )


def main():
    alpha = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    l1_ratio = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1

    data = pd.read_csv(Path(__file__).parent / "wine-quality.csv")
    train, test = train_test_split(data, random_state=42)
    train_x, test_x = train.drop(["quality"], axis=1), test.drop(["quality"], axis=1)
    train_y, test_y = train["quality"], test["quality"]

    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42)
    model.fit(train_x, train_y)
    predicted = model.predict(test_x)
    metrics = {
        "rmse": float(np.sqrt(mean_squared_error(test_y, predicted))),
        "mae": float(mean_absolute_error(test_y, predicted)),
        "r2": float(r2_score(test_y, predicted)),
    }
    print(f"ElasticNet(alpha={alpha}, l1_ratio={l1_ratio}): {metrics}")

    save_mlflow_model(model, list(train_x.columns), Path(os.environ.get("FUSEML_MODEL_DIR", "model")))
    metrics_file = os.environ.get("FUSEML_METRICS_FILE")
    if metrics_file:
        Path(metrics_file).write_text(json.dumps(metrics))


if __name__ == "__main__":
    main()
