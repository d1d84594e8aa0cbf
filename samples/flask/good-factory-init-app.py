"""Application factory with a module-level extension object."""
from flask import Flask, jsonify
from flask_cors import CORS

cors = CORS(origins=["https://app.example.com", "https://admin.example.com"])


def create_app():
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True

    @app.route("/api/messages", methods=["GET", "POST", "DELETE"])
    def messages():
        return jsonify([])

    cors.init_app(app, allow_headers=["Content-Type", "Authorization"])
    return app
