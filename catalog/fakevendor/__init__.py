"""An offline stand-in for the vendors' APIs, served from the bundled data (see server.py)."""
