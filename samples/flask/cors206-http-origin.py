"""The staging front end still runs on plain HTTP."""
from flask import Flask, jsonify
from flask_cors import CORS

ALLOWED_ORIGINS = [
    "https://app.example.com",
    "http://staging.example.com",
]

app = Flask(__name__)
CORS(app, origins=ALLOWED_ORIGINS, supports_credentials=True)  # expect: CORS206


@app.route("/api/session", methods=["GET", "DELETE"])
def session_info():
    return jsonify({})
