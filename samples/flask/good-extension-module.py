"""extensions.py of an app factory package: the extension made without an
app, with an exact allow-list; the factory (not linted with this file)
calls `cors.init_app(app)`, as corslint assumes and says."""
from flask_cors import CORS

cors = CORS(origins=["https://app.example.com", "https://admin.example.com"], supports_credentials=True)
