"""Reports API. The dashboard's origin is written with its default port:
browsers leave :443 out of the Origin they send, so the exact comparison
never matches and the dashboard is refused."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=[
        "https://reports.example.com",
        "https://dashboard.example.com:443",  # expect: CORS207
    ],
    allow_methods=["GET", "PUT", "POST"],
)


@app.get("/api/reports")
def reports():
    return []
