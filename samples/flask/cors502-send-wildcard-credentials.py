"""flask-cors refuses '*' + send_wildcard + credentials at startup (ValueError)."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app,
     origins="*",
     send_wildcard=True,  # expect: CORS502
     supports_credentials=True)


@app.route("/api/public")
def public():
    return jsonify([])
