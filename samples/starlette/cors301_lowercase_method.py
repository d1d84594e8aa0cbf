"""Settings service: 'patch' in lower case never matches the browser's PATCH."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.api_route("/settings", methods=["GET", "PUT", "PATCH"])
def settings():
    return {}


app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://settings.example.com"],
    allow_methods=["GET", "PUT", "patch"],  # expect: CORS301
)
