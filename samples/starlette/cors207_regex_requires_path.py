"""Docs API. The origin regex was written for URLs: it requires a `/` after
the host, and Starlette matches the whole Origin, which ends at host[:port].
No page is ever allowed."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://docs\.example\.com/.*",  # expect: CORS207
    allow_methods=["GET", "PUT", "POST"],
    allow_headers=["Content-Type"],
)


@app.get("/api/pages")
def pages():
    return []
