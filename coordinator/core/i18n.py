"""`flask translate update|compile|check`: the one zh catalog, with Babel's own tooling.

The catalog is coordinator/translations/zh/LC_MESSAGES/messages.po; what is read for strings
is babel.cfg (Python under coordinator/, Jinja under templates/), exactly as
`pybabel extract -F babel.cfg` reads it; update and compile are `pybabel update|compile`.
Source strings are English; Chinese is the default language, so every string needs zh.
"""

import tempfile
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from coordinator.config import ROOT

LOCALES = ["zh"]
CATALOG = ROOT / "coordinator" / "translations"  # <locale>/LC_MESSAGES/messages.po
SHARED = CATALOG  # the name the tests know it by
MAPPING = ROOT / "babel.cfg"
SOURCES = ["coordinator", "templates"]  # relative to ROOT, as the catalog's locations are
KEYWORDS = ["_", "gettext", "ngettext:1,2", "_l", "lazy_gettext", "_n:1,2"]
WIDTH = "100"


def pybabel(*args: str) -> None:
    """Babel's command line (`pybabel …`), run from the project's root."""
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "--quiet", *args])
    finally:
        os.chdir(here)


def extract_template(pot: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel(
        "extract", "-F", str(MAPPING), "--no-default-keywords", *keywords, "--sort-output",
        "-w", WIDTH, "--project", "coordinator", "-o", str(pot), *SOURCES,
    )  # fmt: skip


def catalogs() -> dict[Path, list[Path]]:
    """The catalog folder and the source folders whose strings it holds (one catalog)."""
    return {CATALOG: [ROOT / s for s in SOURCES]}


def extract(catalog_dir: Path = CATALOG) -> dict:
    """msgid (a tuple for a plural) → locations, for every string the code shows."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract_template(pot)
        with pot.open("rb") as f:
            template = read_po(f)
    return {message.id: message.locations for message in template if message.id}


@click.group("translate")
def translate():
    """Keep the translation catalog in step with the code."""


@translate.command("update")
def update_command():
    """Extract strings (babel.cfg) and merge them into the .po files; new ones start empty.
    Rewrites every location line: not during the reshape (merges)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract_template(pot)
        for locale in LOCALES:
            pybabel(
                "update", "-i", str(pot), "-d", str(CATALOG), "-l", locale,
                "--no-fuzzy-matching", "--ignore-obsolete", "-w", WIDTH,
            )  # fmt: skip
    check_command.callback()


@translate.command("compile")
def compile_command():
    """Write the .mo files Flask-Babel reads (they are built at setup, not committed)."""
    pybabel("compile", "-d", str(CATALOG), "-D", "messages")


@translate.command("check")
def check_command():
    """Say which strings of the code have no translation yet (exit 1 if any), and which
    translations no string uses any more."""
    strings = extract()
    missing = False
    for locale in LOCALES:
        po = CATALOG / locale / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as f:
            catalog = read_po(f)
        todo = [m for m in strings if not _done(catalog.get(m))]
        unused = [m.id for m in catalog if m.id and m.id not in strings]
        click.echo(f"{po.relative_to(ROOT)}: {len(strings)} strings, {len(todo)} to do")
        for message in todo:
            click.echo(f"  to do: {message!r}")
        for message in unused:
            click.echo(f"  unused: {message!r}")
        missing = missing or bool(todo)
    if missing:
        raise SystemExit(1)


def _done(entry) -> bool:
    if entry is None or entry.fuzzy:
        return False
    return all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)
