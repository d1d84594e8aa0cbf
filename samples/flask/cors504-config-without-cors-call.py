"""Inventory API: flask-cors imported and configured, never applied.

`CORS_*` keys in app.config are read only by `CORS(app)` (or
`@cross_origin`); without that call no response carries
Access-Control-Allow-Origin.
"""

from flask import Flask, jsonify
from flask_cors import CORS  # noqa: F401 - the call below was never written

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://inventory.example.com"]  # expect: CORS504
app.config["CORS_SUPPORTS_CREDENTIALS"] = True


@app.route("/api/items", methods=["GET", "POST"])
def items():
    return jsonify([])
