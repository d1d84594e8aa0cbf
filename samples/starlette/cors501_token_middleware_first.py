"""Internal API: a token check registered after CORSMiddleware runs first."""

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

app = FastAPI()

app.add_middleware(  # expect: CORS501
    CORSMiddleware,
    allow_origins=["https://admin.example.com"],
    allow_methods=["GET", "PUT"],
    allow_headers=["Authorization", "Content-Type"],
)


@app.middleware("http")
async def require_token(request: Request, call_next):
    if not request.headers.get("authorization", "").startswith("Bearer "):
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return await call_next(request)


@app.get("/admin/users")
def users():
    return []
