"""Reporters: a lint Report rendered for people (text) or programs (json)."""
