"""Per-view CORS with @cross_origin directly below the route decorator."""
from flask import Flask, jsonify
from flask_cors import cross_origin

app = Flask(__name__)
FRONT_ENDS = ["https://app.example.com", "https://partner.example.org"]


@app.route("/api/widgets", methods=["GET", "POST", "PUT"])
@cross_origin(origins=FRONT_ENDS, methods=["GET", "POST", "PUT"], allow_headers=["Content-Type"])
def widgets():
    return jsonify([])


@app.route("/internal/metrics")
def metrics():
    return "metrics"
