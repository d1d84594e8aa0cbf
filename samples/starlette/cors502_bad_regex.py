"""Docs site API: an unbalanced parenthesis in the origin regex."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://(docs|www\.example\.com",  # expect: CORS502
    allow_methods=["GET", "PUT"],
)


@app.get("/pages/{slug}")
def page(slug: str):
    return {"slug": slug}
