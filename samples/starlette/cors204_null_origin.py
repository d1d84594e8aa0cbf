"""Report viewer: someone added "null" for file:// testing and forgot it."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ALLOWED_ORIGINS = [
    "https://reports.example.com",
    "null",  # expect: CORS204
]

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=ALLOWED_ORIGINS,
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT"],
)


@app.get("/reports")
def reports():
    return []
