"""Chinese first: every string the code shows has a Chinese translation."""

import re

from babel.messages.pofile import read_po

from coordinator.core.i18n import SHARED, catalogs, extract


def test_every_string_has_a_chinese_translation():
    missing = []
    for catalog_dir in catalogs():
        po = catalog_dir / "zh" / "LC_MESSAGES" / "messages.po"
        assert po.exists(), f"{po} is missing: run flask translate update"
        with po.open("rb") as f:
            catalog = read_po(f)
        for message in extract(catalog_dir):
            entry = catalog.get(message if isinstance(message, str) else message[0])
            strings = entry.string if entry else None
            done = (
                entry is not None
                and "fuzzy" not in entry.flags
                and (all(strings) if isinstance(strings, tuple) else bool(strings))
            )
            if not done:
                missing.append(f"{po.parent.parent.parent.name}: {message}")
    assert missing == []


def test_english_pages_show_no_untranslated_chinese_chrome(client):
    client.set_cookie("lang", "en")
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html and "登录" not in html


def test_the_catalog_follows_force_locale_within_a_request(web_app):
    """The catalog is remembered per request for speed; a message written in its recipient's
    language (force_locale) must still come out in that language, and the page's after it."""
    from flask_babel import force_locale

    from coordinator.i18n import gettext, lazy_gettext, translated

    labels = {"teams": lazy_gettext("Service teams")}
    # web_app: each request context gets its own app context (and g), as in production.
    with web_app.test_request_context("/"):
        assert gettext("Service teams") == "服务队伍"
        with force_locale("en"):
            assert gettext("Service teams") == "Service teams"
            assert translated(labels) == {"teams": "Service teams"}
        assert str(labels["teams"]) == "服务队伍"
        assert translated(labels) == {"teams": "服务队伍"}
    with web_app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert gettext("Service teams") == "Service teams"


def test_templates_escape_what_goes_into_a_translation(app):
    with app.test_request_context("/"):
        html = app.jinja_env.from_string('{{ _("Page %(n)s", n=v) }}').render(v="<b>")
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_no_string_is_translated_two_ways_in_two_catalogs():
    """Catalogs are merged at run time, so one msgid with two translations shows whichever
    was merged last, in every domain (the nav's "People" once read 人数, a role's capacity)."""
    seen, clashes = {}, []
    for catalog_dir in catalogs():
        with (catalog_dir / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
            for message in read_po(f):
                if not message.id or not message.string:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                other = seen.setdefault(key, (message.string, catalog_dir))
                if other[0] != message.string:
                    clashes.append(
                        f"{key!r}: {other[0]!r} ({other[1].parent.name}) "
                        f"vs {message.string!r} ({catalog_dir.parent.name})"
                    )
    assert clashes == []


def test_catalog_is_complete_and_placeholders_match():
    with (SHARED / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    for msgid in extract(SHARED):
        message = catalog.get(msgid)
        assert message is not None and message.string, msgid
        # A plural's forms must name the plural source's placeholders (%(num)d and the rest).
        source = msgid[-1] if isinstance(msgid, tuple) else msgid
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert sorted(re.findall(r"%\(\w+\)\w", source)) == sorted(
                re.findall(r"%\(\w+\)\w", string)
            ), msgid
