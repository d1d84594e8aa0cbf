"""@cross_origin with automatic_options=False: Flask's own OPTIONS answer
(200, Allow) goes out without any CORS header."""
from flask import Flask, jsonify
from flask_cors import cross_origin

app = Flask(__name__)


@app.route("/api/uploads", methods=["GET", "PUT"])  # expect: CORS101
@cross_origin(origins=["https://app.example.com", "https://admin.example.com"], automatic_options=False)
def uploads():
    return jsonify(ok=True)
