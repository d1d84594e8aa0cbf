"""Starlette API for every subdomain of example.com, anchored (fullmatch)."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route


async def item(request):
    return JSONResponse({"id": request.path_params["item_id"]})


async def health(request):
    return JSONResponse({"ok": True})


routes = [
    Route("/health", health),
    Mount("/api", routes=[Route("/items/{item_id:int}", item, methods=["GET", "PUT", "DELETE"])]),
]

middleware = [
    Middleware(
        CORSMiddleware,
        allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com",
        allow_methods=["GET", "PUT", "DELETE"],
        allow_headers=["Content-Type"],
    )
]

app = Starlette(routes=routes, middleware=middleware)
