"""A read-only API (GET only) whose clients send X-Requested-With: no
request carries a body, so Content-Type need not be allowed."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://shop.example.com", "https://admin.example.com"], methods=["GET"], allow_headers=["X-Requested-With"])


@app.route("/api/catalogue")
def catalogue():
    return jsonify([])
