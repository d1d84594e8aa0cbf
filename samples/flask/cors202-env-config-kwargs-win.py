"""The allow-list comes from the environment, in the app config, but the
CORS() keywords win over app.config (flask-cors: defaults < CORS_* config <
CORS() keywords < per-resource options): whatever CORS_ORIGINS and
CORS_CREDENTIALS hold, any Origin is reflected with credentials."""
import os

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = os.environ.get("CORS_ORIGINS", "https://app.example.com")
app.config["CORS_SUPPORTS_CREDENTIALS"] = os.environ.get("CORS_CREDENTIALS") == "1"


@app.get("/api/profile")
def profile():
    return jsonify(name="a")


CORS(app, origins="*", supports_credentials=True)  # expect: CORS202
