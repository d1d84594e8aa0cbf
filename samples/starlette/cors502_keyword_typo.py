"""Billing API: `allow_origin` (singular) makes the app fail at startup."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/invoices")
def invoices():
    return []


app.add_middleware(  # expect: CORS502
    CORSMiddleware,
    allow_origin=["https://billing.example.com"],
    allow_methods=["GET", "PUT"],
)
