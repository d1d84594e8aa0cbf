"""Notes service: the CORS defaults only allow GET, so edits fail in the browser."""

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

FRONTEND = "https://notes.example.com"

app = FastAPI()
notes = APIRouter(prefix="/notes")


@notes.get("")
def list_notes():
    return []


@notes.put("/{note_id}")
def save_note(note_id: int):
    return {"id": note_id}


@notes.delete("/{note_id}")
def delete_note(note_id: int):
    return {"deleted": note_id}


app.include_router(notes)
app.add_middleware(CORSMiddleware, allow_origins=[FRONTEND], allow_credentials=True)  # expect: CORS102
