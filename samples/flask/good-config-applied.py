"""Inventory API: flask-cors configured through app.config and applied.

`CORS(app)` reads the `CORS_*` keys set before it.
"""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://inventory.example.com", "https://admin.example.com"]
app.config["CORS_SUPPORTS_CREDENTIALS"] = True
CORS(app)


@app.route("/api/items", methods=["GET", "POST"])
def items():
    return jsonify([])
