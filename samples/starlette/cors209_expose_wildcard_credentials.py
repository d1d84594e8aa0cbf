"""Paginated search API: '*' in expose_headers means nothing with credentials."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://search.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "PUT"],
    expose_headers=["*"],  # expect: CORS209
)


@app.get("/search")
def search():
    return {"hits": []}
