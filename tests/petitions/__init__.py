"""The petitions app's tests (their shared helpers are in tests/support/)."""
