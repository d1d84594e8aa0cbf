"""methods= only lists simple methods: flask-cors then sends no
Allow-Methods at all for the PUT preflight (the answer has no
Allow-Methods and no Allow-Headers), so the finding points at the route."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com", "https://admin.example.com"], methods=["GET", "POST"])


@app.route("/api/documents/<doc_id>", methods=["GET", "PUT"])  # expect: CORS301
def document(doc_id):
    return jsonify(id=doc_id)
