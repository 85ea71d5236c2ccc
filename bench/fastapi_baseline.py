"""The baseline of bench/serving.sh: the scoring server a user would write in ten lines with FastAPI, as MLflow's
own scoring server does: load the sklearn model once, build a pandas DataFrame and predict per request.

MODEL=/path/model.pkl uvicorn fastapi_baseline:app --port PORT
"""
import os
import pickle

import numpy as np
import pandas as pd
from fastapi import FastAPI, Request

with open(os.environ["MODEL"], "rb") as f:
    model = pickle.load(f)
features = list(getattr(model, "feature_names_in_", []))
app = FastAPI()


@app.post("/v2/models/{name}/infer")
async def infer(name: str, request: Request):
    body = await request.json()
    rows = body["inputs"][0]["data"]
    frame = pd.DataFrame(rows, columns=features) if features else np.asarray(rows)
    predictions = model.predict(frame).tolist()
    return {"model_name": name, "outputs": [{"name": "predict", "shape": [len(predictions)], "datatype": "FP64",
                                             "data": predictions}]}
