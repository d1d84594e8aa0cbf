"""Stats API, meant for webvisor.com. flask-cors matches origin regexes
from the start (re.match); `.+` inside the host label lets in
https://webvevil-isor.com, another registrable domain."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=[r"^https://webv.+isor\.com$"], supports_credentials=True)  # expect: CORS205


@app.route("/api/stats")
def stats():
    return jsonify([])
