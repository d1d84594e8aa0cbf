"""Cookie-authenticated API for two known front ends."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["https://app.example.com", "https://admin.example.com"],
    supports_credentials=True,
    methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "Authorization", "X-CSRFToken"],
    expose_headers=["X-Total-Count"],
    max_age=600,
)


@app.route("/api/projects", methods=["GET", "POST"])
def projects():
    return jsonify([])


@app.route("/api/projects/<int:project_id>", methods=["GET", "PUT", "DELETE"])
def project(project_id):
    return jsonify(id=project_id)
