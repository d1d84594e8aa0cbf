"""Starlette and FastAPI applications with CORSMiddleware: `source` reads the
app file, `cors` replays CORSMiddleware, `model` lowers both into the server model."""
