"""The chamber app's tests (their shared helpers are in tests/support/)."""
