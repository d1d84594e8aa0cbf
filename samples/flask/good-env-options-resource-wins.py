"""The CORS() keywords come from the environment, but the per-resource
options win over them (flask-cors: defaults < CORS_* config < CORS()
keywords < per-resource options): /api/ answers only the allow-listed
origins, with credentials and Vary, whatever CORS_ORIGINS holds.  The app
config from the environment loses to the keywords the same way."""
import os

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = os.environ.get("CORS_ORIGINS", "*")
app.config["CORS_SEND_WILDCARD"] = os.environ.get("CORS_SEND_WILDCARD") == "1"


@app.get("/api/profile")
def profile():
    return jsonify(name="a")


CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com", "https://admin.example.com"],
                              "supports_credentials": True}},
     origins=os.environ.get("CORS_ORIGINS", "*"), send_wildcard=False)
