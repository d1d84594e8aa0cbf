"""Only Authorization is allowed; JSON bodies need Content-Type too.
flask-cors drops the empty Allow-Headers, so the finding points at the route."""
from flask import Flask, jsonify, request
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://app.example.com", "https://admin.example.com"]
app.config["CORS_ALLOW_HEADERS"] = ["Authorization"]
CORS(app)


@app.route("/api/notes", methods=["GET", "POST", "PUT"])  # expect: CORS302
def notes():
    return jsonify(request.get_json(silent=True) or {})
