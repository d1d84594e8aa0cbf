"""The allowed methods were written before DELETE was added."""
from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(app,
     origins=["https://app.example.com", "https://admin.example.com"],
     methods=["GET", "POST", "PUT"])  # expect: CORS301


@app.route("/api/tasks/<int:task_id>", methods=["GET", "PUT", "DELETE"])
def task(task_id):
    return jsonify(id=task_id)
