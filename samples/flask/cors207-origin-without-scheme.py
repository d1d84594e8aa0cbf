"""Invoices API. The billing front end is listed as a host name: browsers
send the Origin with its scheme (https://billing.example.com), which
flask-cors compares with the entry, so the front end is refused. The second
pattern requires a path, which no Origin has."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["billing.example.com"])  # expect: CORS207
CORS(app, resources={r"/api/partners/*": {"origins": [r"^https://partner\.example\.org/.*"]}})  # expect: CORS207


@app.route("/api/invoices")
def invoices():
    return jsonify([])


@app.route("/api/partners/list")
def partners():
    return jsonify([])
