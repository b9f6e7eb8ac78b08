"""The trend charts as SVG, drawn on the server by pygal, cached by what they show (and the
page's figures, rendered, the same way: coordinator/memo.py).

A chart is a pure function of its figures (and the reader's language): the key is a hash of
them, which is also its ETag. Each worker keeps the last memo.CACHE_SIZE things it made; a browser
that has the chart gets 304. Nothing is stored between workers, so any number of them stay
stateless and agree on the ETag.
"""

import re
import sys

import pygal
from pygal.style import Style

from coordinator.memo import remember

# pygal adds a sys.meta_path finder for its map plugins (pygal.maps.*, unused here) that has
# only the old find_module API: every later import lookup warns (ImportWarning) about it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#888",
    colors=("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a"),
    font_family="'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
)


def _chart(kind, title: str, labels: list[str]):
    chart = kind(
        style=STYLE,
        title=title,
        # Drawn small and scaled to the column: at 390 px its words stay readable.
        width=480,
        height=340,
        explicit_size=False,  # scales to the width of the page (390 px phones)
        js=[],  # no script: shown as an <img>
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        x_label_rotation=0,
        show_minor_x_labels=True,
        truncate_legend=-1,
        print_values=False,
        margin=8,
    )
    chart.x_labels = labels
    return chart


def draw(name: str, data: dict) -> bytes:
    """data: {"title", "labels", "series": [[label, [values or None]]], "range": [lo, hi]}"""
    kind = pygal.Bar if name == "cases" else pygal.Line
    chart = _chart(kind, data["title"], data["labels"])
    if data.get("range"):
        chart.range = tuple(data["range"])
    for label, values in data["series"]:
        chart.add(label, values, allow_interruptions=True) if kind is pygal.Line else chart.add(
            label, values
        )
    # pygal always writes its config as an inline <script> (for its tooltips): an image runs
    # no script, and the CSP would refuse it anyway, so it goes.
    return SCRIPT.sub(b"", chart.render())


def svg(name: str, data: dict) -> tuple[str, bytes]:
    """(etag, svg bytes): from this worker's cache when the same figures were drawn before."""
    return remember(name, data, lambda: draw(name, data))
