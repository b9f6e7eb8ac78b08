"""Who may see photos of which owner: each owner domain registers its own rule."""

from collections.abc import Callable

# owner_type → fn(user, owner_id) -> bool, and fn(token, owner_id) -> bool
VIEWERS: dict[str, Callable] = {}
TOKEN_VIEWERS: dict[str, Callable] = {}


def register_viewer(owner_type: str, fn: Callable) -> None:
    """fn(user, owner_id) -> bool: may this signed-in user see this owner's photos?"""
    VIEWERS[owner_type] = fn


def register_token_viewer(owner_type: str, fn: Callable) -> None:
    """fn(token_str, owner_id) -> bool: does this link token open this owner's photos?"""
    TOKEN_VIEWERS[owner_type] = fn


def may_view(user, token: str | None, owner_type: str, owner_id: int) -> bool:
    """A token, when given, is checked on its own; otherwise the signed-in user is."""
    if token:
        fn = TOKEN_VIEWERS.get(owner_type)
        return bool(fn and fn(token, owner_id))
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    fn = VIEWERS.get(owner_type)
    return bool(fn and fn(user, owner_id))
