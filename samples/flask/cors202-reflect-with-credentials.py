"""Account API: the front end sends the session cookie, so credentials are on.

flask-cors's default origins='*' does not send '*': it reflects whatever
Origin the request carries, credentials included.
"""
from flask import Flask, jsonify, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)  # expect: CORS202


@app.route("/api/me")
def me():
    return jsonify(user=request.cookies.get("user"))


@app.route("/api/me/settings", methods=["GET", "PUT"])
def settings():
    return jsonify(ok=True)
