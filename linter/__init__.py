"""corslint: a static linter for CORS configuration.

The version is written here only: pyproject.toml reads it
(`[tool.setuptools.dynamic]`), and `--version`, JSON and SARIF print it."""

__version__ = "0.1.0"
#: where the project lives: pyproject's [project.urls] and SARIF's rule help point here
REPOSITORY = "https://github.com/corslint/corslint"
