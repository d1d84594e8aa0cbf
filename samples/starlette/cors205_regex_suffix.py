"""Tenant dashboards: every subdomain, but the label boundary is missing."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()


@app.get("/api/tenants/{tenant}/usage")
def usage(tenant: str):
    return {"tenant": tenant}


app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://.*example\.com",  # expect: CORS205
    allow_methods=["GET", "PUT", "POST"],
)
