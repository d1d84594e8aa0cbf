"""Starlette upload service: PUT is served but not in allow_methods."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def upload(request):
    return JSONResponse({"stored": True})


async def status(request):
    return JSONResponse({"ok": True})


middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=["https://uploads.example.com"],
        allow_methods=["GET", "POST"],  # expect: CORS102
    )
]

app = Starlette(
    routes=[Route("/files/{name}", upload, methods=["PUT"]), Route("/status", status)],
    middleware=middleware,
)
