"""corslint: a static linter for CORS configuration.

The version is written here only: pyproject.toml reads it
(`[tool.setuptools.dynamic]`), and `--version`, JSON and SARIF print it."""

__version__ = "0.1.0"
#: the project's home on its forge: SARIF's informationUri, the default rule
#: pages (report/sarif.py) and pyproject's [project.urls]
REPOSITORY = "https://github.com/corslint/corslint"
