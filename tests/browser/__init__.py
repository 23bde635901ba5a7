"""Browser and API tests against a live chat server."""
