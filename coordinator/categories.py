"""The one controlled list of work categories: a team's skills and a case's category."""

from coordinator.i18n import lazy_gettext as _l
from coordinator.i18n import translated

# Literal _l() calls so that the catalog extractor sees each name.
CATEGORIES = {
    "drain": _l("Drains and sewage"),
    "plumbing": _l("Plumbing"),
    "electrics": _l("Electrics and street lights"),
    "trees": _l("Trees and greenery"),
    "paving": _l("Paving and potholes"),
    "cleaning": _l("Cleaning and rubbish"),
    "flyposting": _l("Flyposting"),
    "bikes": _l("Bikes and clutter"),
    "moving": _l("Moving and carrying"),
    "other": _l("Other"),
}


def category_choices():
    return list(CATEGORIES.items())


def category_labels() -> dict[str, str]:
    """Every category in the reader's language, translated once for a whole list."""
    return translated(CATEGORIES)


def category_label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def categories_matching(text: str) -> list[str]:
    """Codes whose name, in the reader's language or in English, contains the text."""
    needle = text.strip().lower()
    if not needle:
        return []
    return [
        code
        for code, label in CATEGORIES.items()
        if needle in str(label).lower() or needle in label.msgid.lower() or needle == code
    ]
