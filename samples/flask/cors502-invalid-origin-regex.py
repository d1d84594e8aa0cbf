"""'*.example.com' contains '*', so flask-cors compiles it as a regex, which
fails ('nothing to repeat'): flask-cors 6 raises ValueError at startup."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=[  # expect: CORS502
    "https://example.com",
    "*.example.com",
])


@app.route("/api/status")
def status():
    return jsonify(ok=True)
