"""Starlette orders service: the Orders endpoint class defines PUT, but
CORS allows GET and POST only, so the PUT preflight gets 400
"Disallowed CORS method"."""

from starlette.applications import Starlette
from starlette.endpoints import HTTPEndpoint
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


class Orders(HTTPEndpoint):
    async def get(self, request):
        return JSONResponse([])

    async def put(self, request):
        return JSONResponse({"updated": True})


app = Starlette(
    routes=[Route("/orders/{order_id}", Orders)],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origins=["https://shop.example.com"],
            allow_methods=["GET", "POST"],  # expect: CORS102
            allow_headers=["Content-Type"],
        )
    ],
)
