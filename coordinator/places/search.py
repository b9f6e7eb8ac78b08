"""Finding a place by what a resident knows of it: the compound's name or its street address,
typed in Chinese characters, in pinyin, or as pinyin initials ("xtcl" for 西土城路).

The pinyin of a compound is worked out once, when its name or address is written
(`Compound.search_key`, kept by the model and filled for existing rows by the migration), so a
search is one statement over a short column: no row is converted while someone types.
pypinyin does the conversion; it is imported on the first write only (it takes a quarter of a
second and some 50 MB), never by a request that only reads.
"""

import re
import unicodedata

# Forms of one text are joined by a space, and a query never holds one (normalise() removes
# them), so a match never runs from the end of one form into the start of the next.
SEPARATOR = " "
QUERY_MAX = 40  # characters: longer than any name or address people type into a search box
_SPACES = re.compile(r"\s+")
_ZH_INITIALS = ("zh", "ch", "sh")
_KEPT = "\x00"  # pypinyin's mark, here, for a piece that is not a Chinese character


def normalise(text: str) -> str:
    """Lower case, half-width (ＡＢＣ１ → abc1), without spaces: what is stored and asked for."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "").lower())


def forms_of(text: str) -> list[str]:
    """The ways someone may type `text`: its characters, its pinyin (xituchenglu8haoyuan), its
    initials (xtcl8hy), and its initials with zh/ch/sh whole (志强北园: zqby and zhqby)."""
    from pypinyin import lazy_pinyin  # see the module's docstring: only when writing

    plain = normalise(text)
    if not plain:
        return []
    # What is not a Chinese character (a number, letters) comes back marked, kept whole in
    # the initials too: 学院南路32号院 is xynl32hy, not xynl3hy.
    pieces = lazy_pinyin(plain, errors=lambda chunk: _KEPT + chunk)
    kept = [(p.startswith(_KEPT), p.removeprefix(_KEPT)) for p in pieces]
    syllables = "".join(p for _kept, p in kept)
    initials = "".join(p if whole else p[:1] for whole, p in kept)
    long_initials = "".join(
        p if whole else next((z for z in _ZH_INITIALS if p.startswith(z)), p[:1])
        for whole, p in kept
    )
    forms = [plain, syllables, initials, long_initials]
    return list(dict.fromkeys(f for f in forms if f))  # unique, in order


def key_of(*texts: str) -> str:
    """The search key of a place from its texts (a compound: its name and its address)."""
    forms: list[str] = []
    for text in texts:
        forms.extend(f for f in forms_of(text) if f not in forms)
    return SEPARATOR.join(forms)


def query_of(text: str | None) -> str:
    """What a search box sent, as it is looked for: normalised and cut to QUERY_MAX; '' when
    nothing is left to look for."""
    return normalise(text or "")[:QUERY_MAX]
