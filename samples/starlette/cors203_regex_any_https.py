"""Widget config API: the origin regex accepts every https site."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://.*",  # expect: CORS203
    allow_methods=["GET", "PUT"],
)


@app.get("/widgets/{widget_id}")
def widget(widget_id: str):
    return {"id": widget_id}
