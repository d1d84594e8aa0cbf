"""@cross_origin above @app.route: the route registered the bare view, so
flask-cors never runs for it."""
from flask import Flask, jsonify
from flask_cors import cross_origin

app = Flask(__name__)


@cross_origin(origins=["https://app.example.com"])  # expect: CORS501
@app.route("/api/stats")
def stats():
    return jsonify({})
