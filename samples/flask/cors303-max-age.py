"""Cache preflights for a day: Chromium caps it at two hours."""
from datetime import timedelta

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app,
     origins=["https://app.example.com", "https://admin.example.com"],
     max_age=timedelta(days=1))  # expect: CORS303


@app.route("/api/search", methods=["GET", "POST"])
def search():
    return jsonify([])
