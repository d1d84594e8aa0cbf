"""Single-page app backend: explicit origins, credentials, the methods it serves."""

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPBearer

bearer = HTTPBearer()

ORIGINS = [
    "https://app.example.com",
    "https://staging.app.example.com",
]

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=ORIGINS,
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Authorization", "Content-Type"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)


@app.get("/api/projects")
def projects(credentials=Depends(bearer)):
    return []


@app.post("/api/projects")
def create_project(credentials=Depends(bearer)):
    return {}


@app.put("/api/projects/{project_id}")
def update_project(project_id: int, credentials=Depends(bearer)):
    return {"id": project_id}


@app.delete("/api/projects/{project_id}")
def delete_project(project_id: int, credentials=Depends(bearer)):
    return {"deleted": project_id}
