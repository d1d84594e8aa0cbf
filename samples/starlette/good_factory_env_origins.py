"""App factory with origins from the environment: nothing certain to report."""

import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def create_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=os.environ.get("CORS_ORIGINS", "https://app.example.com").split(","),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT"],
    )

    @app.get("/api/status")
    def status():
        return {"ok": True}

    return app


app = create_app()
