"""Orders API with bearer tokens: Authorization is missing from allow_headers."""

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import OAuth2PasswordBearer

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def current_user(token: str = Depends(oauth2_scheme)):
    return {"token": token}


app = FastAPI()
router = APIRouter(prefix="/api/orders")


@router.get("")
def orders(user: dict = Depends(current_user)):
    return []


@router.put("/{order_id}")
def update_order(order_id: int, user: dict = Depends(current_user)):
    return {"id": order_id}


app.include_router(router)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://shop.example.com"],
    allow_methods=["GET", "PUT"],
    allow_headers=["Content-Type", "X-Request-ID"],  # expect: CORS302
)
