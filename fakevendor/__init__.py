"""An offline stand-in for the vendors' APIs, served from the bundled data (see server.py).

A top-level app of its own: it plays vendors, usage reports, chat APIs and gateways for every
domain, and imports none of them."""

FAKE_KEY_ENV = "MODELSHELF_FAKE_VENDOR_KEY"  # the variable the demo's vendors name for their key
