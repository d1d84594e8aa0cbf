"""extensions.py of an app factory package: the extension objects, made at
import time without an app.  The factory (app/__init__.py, not linted with
this file) calls `cors.init_app(app)`; corslint judges the extension as
applied there, and says so.

flask-cors's default origins='*' with credentials reflects whatever Origin
the request carries.
"""
from flask_cors import CORS

cors = CORS(supports_credentials=True, methods=["GET", "POST"])  # expect: CORS202
