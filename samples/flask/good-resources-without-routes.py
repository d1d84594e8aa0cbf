"""Application setup for an API whose views live in other modules (imported
by the WSGI entry point). The /api/ resource allows two front ends, with
credentials."""
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True, resources={r"/api/*": {"origins": ["https://app.example.com", "https://admin.example.com"]}})
