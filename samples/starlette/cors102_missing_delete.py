"""Todo API: DELETE is served but the allow-list stops at PUT: Starlette answers the DELETE preflight 400."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://todo.example.com"],
    allow_methods=["GET", "POST", "PUT"],  # expect: CORS102
)


@app.get("/todos")
def todos():
    return []


@app.put("/todos/{todo_id}")
def update(todo_id: int):
    return {"id": todo_id}


@app.delete("/todos/{todo_id}")
def remove(todo_id: int):
    return {"deleted": todo_id}
