"""Helpers for tests that drive real tools: Chromium, axe-core, the Nu Html Checker and nginx."""
