"""Reads and posts JSON (GET and POST only): the JSON POST preflights
(POST, content-type), and only X-Requested-With is allowed."""
from flask import Flask, jsonify, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://www.example.com", "https://admin.example.com"], methods=["GET", "POST"], allow_headers=["X-Requested-With"])


@app.route("/api/feedback", methods=["GET", "POST"])  # expect: CORS302
def feedback():
    return jsonify(request.get_json(silent=True) or {})
