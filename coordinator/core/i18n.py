"""`flask translate update|compile|check`: one zh catalog per domain, plus the shared one.

A domain with a `translations/` folder owns the strings in coordinator/<domain>/ and
templates/<domain>/; the shared catalog (coordinator/translations) owns everything else.
Source strings are English; Chinese is the default language, so every string needs zh.
"""

from pathlib import Path

import click
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coordinator.config import ROOT

LOCALES = ["zh"]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "_n": (1, 2),
}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}}
SHARED = ROOT / "coordinator" / "translations"


def catalogs() -> dict[Path, list[Path]]:
    """Each catalog folder and the source folders whose strings it holds."""
    owned = {}
    for pkg in sorted((ROOT / "coordinator").iterdir()):
        if (pkg / "translations").is_dir() and pkg.name != "translations":
            owned[pkg.name] = [pkg, ROOT / "templates" / pkg.name]
    result = {SHARED: [ROOT / "coordinator", ROOT / "templates"]}
    for name, dirs in owned.items():
        result[ROOT / "coordinator" / name / "translations"] = dirs
    return result


def extract(catalog_dir: Path) -> dict[str, list]:
    """msgid → locations, for the strings this catalog owns."""
    owners = catalogs()
    excluded = []
    if catalog_dir == SHARED:
        excluded = [d for cat, dirs in owners.items() if cat != SHARED for d in dirs]
    found: dict[str, list] = {}
    for src in owners[catalog_dir]:
        if not src.is_dir():
            continue
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            str(src), METHODS, options_map=OPTIONS, keywords=KEYWORDS
        ):
            path = src / filename
            if any(path.is_relative_to(e) for e in excluded):
                continue
            found.setdefault(message, []).append((str(path.relative_to(ROOT)), lineno))
    return found


@click.group("translate")
def translate():
    """Keep the translation catalogs in step with the code."""


@translate.command("update")
def update_command():
    """Extract strings into each catalog's .po files (new ones start empty)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    for catalog_dir in catalogs():
        template = Catalog(project="coordinator")
        for message, locations in extract(catalog_dir).items():
            template.add(message, locations=locations)
        for locale in LOCALES:
            po = catalog_dir / locale / "LC_MESSAGES" / "messages.po"
            po.parent.mkdir(parents=True, exist_ok=True)
            if po.exists():
                with po.open("rb") as f:
                    catalog = read_po(f, locale=locale)
                catalog.update(template, no_fuzzy_matching=True)
            else:
                catalog = Catalog(locale=locale, project="coordinator")
                catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            with po.open("wb") as f:
                write_po(f, catalog, width=100, sort_output=True, omit_header=False)
            missing = [m.id for m in catalog if m.id and not m.string]
            click.echo(f"{po.relative_to(ROOT)}: {len(catalog)} strings, {len(missing)} to do")


@translate.command("compile")
def compile_command():
    """Write the .mo files Flask-Babel reads (they are built at setup, not committed)."""
    for catalog_dir in catalogs():
        for po in catalog_dir.glob("*/LC_MESSAGES/messages.po"):
            with po.open("rb") as f:
                catalog = read_po(f)
            with po.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
