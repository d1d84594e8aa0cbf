"""Catalogue API: a one-day preflight cache that Chromium caps at two hours."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://catalogue.example.com"],
    allow_methods=["GET", "PUT"],
    max_age=86400,  # expect: CORS303
)


@app.get("/products")
def products():
    return []
