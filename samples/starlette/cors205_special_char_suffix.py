"""Media API: subdomains of example.com, then anything after a character no
host name has. Browsers send `_`, `!` and backticks in a host:
https://example.com_.evil.example matches. No public CA certifies such a
host, hence a warning."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com([^.a-z0-9-].*)?",  # expect: CORS205
    allow_methods=["GET", "PUT", "POST"],
    allow_headers=["Content-Type"],
)


@app.get("/api/media")
def media():
    return []
