"""Starlette catalogue: a read-only API (GET only) whose clients send a
custom X-Requested-With header. No request carries a body, so Content-Type
need not be allowed."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def catalogue(request):
    return JSONResponse([])


app = Starlette(
    routes=[Route("/api/catalogue", catalogue)],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://shop.example.com"],
            allow_methods=["GET"],
            allow_headers=["X-Requested-With"],
        )
    ],
)
