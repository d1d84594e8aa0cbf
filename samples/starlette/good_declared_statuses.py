"""Orders API: each path operation declares its status in its own code.

POST answers 201 (`status_code=status.HTTP_201_CREATED`), DELETE a 204
Response; corslint's model takes those statuses from the code (and says
"unknown" where the code does not declare one).
"""

from fastapi import FastAPI, Response, status
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://shop.example.com", "https://admin.example.com"],
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type"],
)


@app.get("/api/orders")
def list_orders():
    return []


@app.post("/api/orders", status_code=status.HTTP_201_CREATED)
def create_order():
    return {"id": 1}


@app.delete("/api/orders/{order_id}", status_code=204)
def delete_order(order_id: int):
    return Response(status_code=204)
