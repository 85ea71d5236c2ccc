"""The wine-quality ElasticNet of examples/sklearn-wine, saved in MLflow's onnx flavor: FuseML serves it inside its
JVM with ONNX Runtime, without a Python process.

A linear model is y = X.w + b, so the ONNX graph is one MatMul and one Add, written with the onnx package's helper
API (skl2onnx is not needed). The metrics include the prediction sklearn makes for the first test row
(reference_prediction) so that anyone can check that the served model predicts what the trained one does.
Data: P. Cortez et al., "Modeling wine preferences by data mining from physicochemical properties", 2009 (CC BY 4.0).
"""
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

# The row tests and the README predict with, and whose sklearn prediction goes into the metrics.
REFERENCE_ROW = [7.0, 0.27, 0.36, 20.7, 0.045, 45, 170, 1.001, 3.0, 0.45, 8.8]


def linear_model_as_onnx(model, features):
    """y = X . coef + intercept as an ONNX graph: input 'input' [N, F] float, output 'variable' [N, 1] float."""
    weights = numpy_helper.from_array(model.coef_.astype(np.float32).reshape(features, 1), name="coef")
    bias = numpy_helper.from_array(np.array([model.intercept_], dtype=np.float32), name="intercept")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["input", "coef"], ["product"]),
         helper.make_node("Add", ["product", "intercept"], ["variable"])],
        "wine-elasticnet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, features])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])],
        initializer=[weights, bias])
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx_model.ir_version = 8  # readable by every ONNX Runtime since 1.10
    onnx.checker.check_model(onnx_model)
    return onnx_model


def save_mlflow_onnx_model(onnx_model, columns, model_dir):
    """Writes the model as MLflow's onnx flavor would, without needing the mlflow package."""
    model_dir.mkdir(parents=True, exist_ok=True)
    onnx.save(onnx_model, str(model_dir / "model.onnx"))
    signature_inputs = json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float32",
                                                                      "shape": [-1, len(columns)]}}])
    signature_outputs = json.dumps([{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}}])
    (model_dir / "MLmodel").write_text(
        "flavors:\n"
        "  onnx:\n"
        "    data: model.onnx\n"
        f"    onnx_version: {onnx.__version__}\n"
        "  python_function:\n"
        "    data: model.onnx\n"
        "    loader_module: mlflow.onnx\n"
        f"    python_version: {platform.python_version()}\n"
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
    model.fit(train_x.to_numpy(), train_y)
    predicted = model.predict(test_x.to_numpy())
    metrics = {
        "rmse": float(np.sqrt(mean_squared_error(test_y, predicted))),
        "mae": float(mean_absolute_error(test_y, predicted)),
        "r2": float(r2_score(test_y, predicted)),
        "reference_prediction": float(model.predict(np.array([REFERENCE_ROW]))[0]),
    }
    print(f"ElasticNet(alpha={alpha}, l1_ratio={l1_ratio}) as ONNX: {metrics}")

    onnx_model = linear_model_as_onnx(model, train_x.shape[1])
    save_mlflow_onnx_model(onnx_model, list(train_x.columns), Path(os.environ.get("FUSEML_MODEL_DIR", "model")))
    metrics_file = os.environ.get("FUSEML_METRICS_FILE")
    if metrics_file:
        Path(metrics_file).write_text(json.dumps(metrics))


if __name__ == "__main__":
    main()
