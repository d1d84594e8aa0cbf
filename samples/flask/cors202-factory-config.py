"""Application factory; CORS options come from the config class."""
from flask import Blueprint, Flask, jsonify
from flask_cors import CORS

api = Blueprint("api", __name__, url_prefix="/api")


@api.get("/orders")
def list_orders():
    return jsonify([])


@api.post("/orders")
def create_order():
    return jsonify(id=1), 201


class Config:
    SECRET_KEY = "dev"
    CORS_SUPPORTS_CREDENTIALS = True
    CORS_EXPOSE_HEADERS = ("X-Total-Count",)


def create_app():
    app = Flask(__name__)
    app.config.from_object(Config)
    app.register_blueprint(api)
    CORS(app)  # expect: CORS202
    return app
