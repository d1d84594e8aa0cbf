"""Expose every response header... which '*' does not do with credentials."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
cors = CORS()

cors.init_app(
    app,
    origins=["https://app.example.com", "https://admin.example.com"],
    supports_credentials=True,
    expose_headers="*",  # expect: CORS209
)


@app.route("/api/reports")
def reports():
    return jsonify([])
