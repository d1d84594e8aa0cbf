"""Express 4/5 applications with the `cors` package: `source` reads the app
file, `cors` replays the package, `paths` matches route paths per Express
version, `runtime` runs small handlers against a request, `model` lowers them
into the server model."""
