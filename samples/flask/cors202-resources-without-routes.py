"""Application setup for an API whose views live in other modules (imported
by the WSGI entry point). The /api/ resource allows '*' with credentials:
flask-cors then reflects any origin and allows credentials."""
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True, resources={r"/api/*": {"origins": "*"}})  # expect: CORS202
