"""Per-resource options; the API pattern has no end anchor."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={
    r"/api/*": {
        "origins": r"https://[a-z]+\.example\.com",  # expect: CORS205
        "supports_credentials": True,
    },
    "/health": {"origins": "*", "send_wildcard": True},
})


@app.route("/api/invoices", methods=["GET", "POST"])
def invoices():
    return jsonify([])


@app.route("/health")
def health():
    return "ok"
