"""Account API for the web shop: "allow everything" while cookies are on."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="shop-accounts")

app.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],  # expect: CORS202
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.get("/api/me")
def me():
    return {"name": "demo"}


@app.put("/api/me/address")
def update_address():
    return {"ok": True}
