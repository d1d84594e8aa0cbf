"""Public catalogue API with flask-cors's defaults."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app)  # expect: CORS203


@app.route("/products")
def products():
    return jsonify([])


@app.route("/products/<int:product_id>")
def product(product_id):
    return jsonify(id=product_id)
