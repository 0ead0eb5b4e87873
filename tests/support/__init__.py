"""What the tests share: helpers, fixtures and worlds, imported from here by every user.

A test module keeps its own helpers to itself; what a second module needs moves here
(tests/test_lints.py fails when a test module imports from another one).
"""
