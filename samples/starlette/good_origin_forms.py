"""Dev tools API: an IPv6 loopback dev server and a browser extension are
origins as browsers send them; subdomains are matched whole with a label
boundary."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://[::1]:5173", "chrome-extension://abcdefghijklmnopabcdefghijklmnop"],
    allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.com",
    allow_methods=["GET", "PUT", "POST"],
    allow_headers=["Content-Type"],
)


@app.get("/api/tools")
def tools():
    return []
