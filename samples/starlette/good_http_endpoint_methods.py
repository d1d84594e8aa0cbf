"""Starlette orders service: class endpoints (HTTPEndpoint) define GET and
POST only, one through a base class; CORS allows exactly those. A PUT
preflight would get 400, but no client sends one: the endpoints answer PUT
with 405 anyway."""

from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


class ReadOnly(HTTPEndpoint):
    async def get(self, request):
        return JSONResponse([])


class Orders(ReadOnly):
    async def post(self, request):
        return JSONResponse({"created": True})


app = Starlette(
    routes=[Route("/orders", Orders), Route("/catalogue", ReadOnly)],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://shop.example.com"],
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    ],
)
