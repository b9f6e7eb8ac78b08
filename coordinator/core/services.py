"""The home page's context and the language preference: made of what the domains offer
(coordinator/plugins.py), so core names no domain."""

from coordinator import plugins


def home_context(user) -> dict:
    """What a role sees first: the numbers that ask for action today, each a link to the list
    behind it, then the places to go from there."""
    return {"user": user, "stats": plugins.home_numbers(user), "area": plugins.home_area(user)}


def remember_language(user, lang: str) -> None:
    plugins.keep_language(user, lang)
