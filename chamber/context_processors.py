from django.http import HttpRequest

from chamber.roles import roles_of


def roles(request: HttpRequest) -> dict:
    """`roles` in every template: what the navigation may show this user."""
    return {"roles": roles_of(getattr(request, "user", None))}
