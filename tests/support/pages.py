"""Clients and the text of the pages they get."""

from django.test import Client
from django.utils.html import escape


def as_user(user) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def shows(response, message: str) -> bool:
    """The page shows `message` (as the template escapes it)."""
    return escape(message) in text(response)
