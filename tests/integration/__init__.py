"""Integration tests on the real offline models."""
