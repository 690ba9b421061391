"""sitegen: a static site generator for a think tank's archive."""

__version__ = "0.1.0"
