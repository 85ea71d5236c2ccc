"""MLflow's wine-quality tutorial (ElasticNet), as MLflow users write it: nothing of FuseML in it.

Under `fuseml push`, the code gets what `mlflow run` gives it (MLFLOW_TRACKING_URI, MLFLOW_RUN_ID,
MLFLOW_EXPERIMENT_ID, MLFLOW_TRACKING_TOKEN): its params, metrics and model go to FuseML's MLflow tracking server,
and FuseML serves the model it logged. The same file runs unchanged with `mlflow run .` against any MLflow server.
Data: P. Cortez et al., "Modeling wine preferences by data mining from physicochemical properties", 2009 (CC BY 4.0).
"""
import sys
from pathlib import Path

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split


def main():
    alpha = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    l1_ratio = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1

    data = pd.read_csv(Path(__file__).parent / "wine-quality.csv")
    train, test = train_test_split(data, random_state=42)
    train_x, test_x = train.drop(["quality"], axis=1), test.drop(["quality"], axis=1)
    train_y, test_y = train["quality"], test["quality"]

    with mlflow.start_run():
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, random_state=42)
        model.fit(train_x, train_y)
        predicted = model.predict(test_x)

        rmse = float(np.sqrt(mean_squared_error(test_y, predicted)))
        mae = float(mean_absolute_error(test_y, predicted))
        r2 = float(r2_score(test_y, predicted))
        print(f"ElasticNet(alpha={alpha}, l1_ratio={l1_ratio}): rmse={rmse} mae={mae} r2={r2}")

        mlflow.log_param("alpha", alpha)
        mlflow.log_param("l1_ratio", l1_ratio)
        mlflow.log_metric("rmse", rmse)
        mlflow.log_metric("r2", r2)
        mlflow.log_metric("mae", mae)
        mlflow.sklearn.log_model(model, "model", input_example=train_x.head(2))


if __name__ == "__main__":
    main()
