"""Public open-data API: any origin may read, no cookies involved."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="open-data")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"])


@app.get("/datasets")
def datasets():
    return []


@app.get("/datasets/{dataset_id}")
def dataset(dataset_id: str):
    return {"id": dataset_id}
