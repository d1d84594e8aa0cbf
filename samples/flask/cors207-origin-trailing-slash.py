"""Orders API for the shop. The origin was copied from the address bar with
its trailing slash: browsers send the Origin without one, so flask-cors never
matches it and the shop's requests are refused."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://shop.example.com/"])  # expect: CORS207


@app.route("/api/orders")
def orders():
    return jsonify([])
