"""Only the API blueprint is cross-origin; the regex is anchored at both ends."""
from flask import Blueprint, Flask, jsonify
from flask_cors import CORS

api = Blueprint("api", __name__)


@api.route("/items", methods=["GET", "POST"])
def items():
    return jsonify([])


@api.route("/items/<int:item_id>", methods=["GET", "PATCH", "DELETE"])
def item(item_id):
    return jsonify(id=item_id)


app = Flask(__name__)
app.register_blueprint(api, url_prefix="/api/v1")
CORS(app, resources={
    r"/api/v1/*": {
        "origins": [r"^https://([a-z0-9-]+\.)*example\.com$"],
        "supports_credentials": True,
    },
})


@app.route("/")
def index():
    return "home"
