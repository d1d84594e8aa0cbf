"""Inventory service: a timing middleware added after CORS only passes requests on."""

import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
stock = APIRouter(prefix="/stock")


@stock.get("/{sku}")
def level(sku: str):
    return {"sku": sku, "level": 3}


@stock.patch("/{sku}")
def adjust(sku: str):
    return {"sku": sku}


app.include_router(stock, prefix="/v2")
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://warehouse.example.com"],
    allow_methods=["GET", "PUT", "PATCH"],
    allow_headers=["Content-Type", "X-Request-ID"],
)


@app.middleware("http")
async def timing(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
