"""Partner API: the dots in the host names are not escaped."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route


async def orders(request):
    return JSONResponse([])


app = Starlette(
    routes=[Route("/orders", orders, methods=["GET", "PUT"])],
    middleware=[
        Middleware(
            CORSMiddleware,
            allow_origin_regex=r"https://(www|partners).example.com",  # expect: CORS205
            allow_methods=["GET", "PUT"],
            allow_credentials=True,
        )
    ],
)
