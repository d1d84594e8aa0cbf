"""The rule is registered without automatic OPTIONS: Flask answers the
preflight 405."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com", "https://admin.example.com"])


def orders():
    return jsonify([])


app.add_url_rule("/api/orders", view_func=orders, methods=["GET", "POST", "PUT"],  # expect: CORS102
                 provide_automatic_options=False)
