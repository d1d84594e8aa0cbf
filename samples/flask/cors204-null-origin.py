"""Someone added 'null' so that the Electron build (file://) works."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["https://app.example.com", "https://admin.example.com", "null"],  # expect: CORS204
    supports_credentials=True,
)


@app.route("/api/profile", methods=["GET", "PATCH"])
def profile():
    return jsonify({})
