"""Starlette service: the API-key middleware is listed before CORSMiddleware."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


class ApiKeyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.headers.get("authorization") != "Bearer live-test":
            return PlainTextResponse("missing API key", status_code=401)
        response = await call_next(request)
        return response


async def metrics(request):
    return JSONResponse({"up": 1})


app = Starlette(
    routes=[Route("/metrics", metrics, methods=["GET", "PUT"])],
    middleware=[
        Middleware(ApiKeyMiddleware),
        Middleware(  # expect: CORS501
            CORSMiddleware,
            allow_origins=["https://grafana.example.com"],
            allow_methods=["GET", "PUT"],
            allow_headers=["Authorization"],
        ),
    ],
)
