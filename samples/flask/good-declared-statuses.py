"""Items API: each view declares its status in its own code.

PUT answers `"", 204` and GET `jsonify(...)` (200); corslint's model takes
those statuses from the code (and says "unknown" where the code does not
declare one).
"""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://shop.example.com", "https://admin.example.com"], methods=["GET", "PUT"])


@app.get("/api/items")
def list_items():
    return jsonify([])


@app.put("/api/items")
def replace_items():
    return "", 204
