"""A single literal origin: flask-cors answers it only when it matches and
adds no Vary: Origin, so a shared cache may serve the answer to others."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins="https://app.example.com")  # expect: CORS405


@app.route("/api/feed")
def feed():
    return jsonify([])
