"""Flask applications with flask-cors: `source` reads the app file, `cors`
holds flask-cors' option semantics, `model` lowers both into the server model."""
