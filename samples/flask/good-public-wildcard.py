"""Public, read-only, no cookies: a literal '*' is right here."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, send_wildcard=True, methods=["GET", "HEAD"])


@app.get("/v1/rates")
def rates():
    return jsonify(eur=1.0)


@app.get("/v1/rates/<currency>")
def rate(currency):
    return jsonify(currency=currency)
