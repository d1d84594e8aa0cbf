"""Reporters: a lint Report rendered for people (text), programs (json), code
scanning (sarif) or GitHub Actions annotations (github)."""
