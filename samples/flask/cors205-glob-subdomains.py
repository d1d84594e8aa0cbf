"""'https://*.example.com' looks like a glob, but flask-cors sees a regex
(it contains '*') and matches it with re.match: 'https:/' then '/*', any one
character, 'example', any character, 'com' - and nothing anchors the end."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app,
     origins="https://*.example.com",  # expect: CORS205
     supports_credentials=True)


@app.route("/api/cart", methods=["GET", "POST", "DELETE"])
def cart():
    return jsonify(items=[])
