"""The web application: pages and the JSON API over the same service functions as the CLI."""

from chitieu.web.app import create_app

__all__ = ["create_app"]
