"""Intranet portal: the plain-HTTP origin of the old portal is still trusted."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=[
        "https://portal.example.com",
        "http://portal.example.com",  # expect: CORS206
    ],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT"],
)


@app.get("/api/profile")
def profile():
    return {}
