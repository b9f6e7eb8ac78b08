"""Reading the app's own pages: the links and forms a role is shown, as plain data.

The sweep learns each form's fields from the page that shows it (what a browser would send),
so a new field or form is swept without anyone listing it here.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False


@dataclass
class Form:
    page: str
    method: str
    action: str
    target: str  # hx-target without "#", "" when none
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    def names(self) -> list[str]:
        seen = []
        for f in self.fields:
            if f.name not in seen:
                seen.append(f.name)
        return seen


class _Reader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: tuple[str | None, bool] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        if a.get("hx-get"):
            self.links.append(urljoin(self.page, a["hx-get"]))
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or self.page
            self._form = Form(
                self.page,
                (a.get("method") or "get").upper(),
                urljoin(self.page, action),
                a.get("hx-target", "").lstrip("#"),
                "multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        if self._form is not None:
            # A button with its own formaction, or a field that posts itself (inline
            # validation): one more form, to that address, sharing the form's fields.
            action = a.get("formaction") or a.get("hx-post")
            if action:
                self.forms.append(
                    Form(
                        self.page,
                        "POST",
                        urljoin(self.page, action),
                        a.get("hx-target", "").lstrip("#"),
                        self._form.multipart,
                        self._form.fields,
                    )
                )
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option = (a.get("value"), "selected" in a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            self._form.fields.append(Field(name, kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button":
            self._form.fields.append(Field(name, "button", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(name, "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(name, "select", multiple="multiple" in a)
            self._form.fields.append(self._select)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None and self._option[0] is None:
            self._option = (data.strip(), self._option[1])

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            self._select.options.append(value or "")
            if selected:
                self._select.value = value or ""
                self._select.checked = True
            self._option = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            if self._select is not None and not self._select.checked and self._select.options:
                self._select.value = self._select.options[0]
            self._select = None
        elif tag == "form":
            self._form = None


def read(page: str, html: str) -> tuple[list[str], list[Form]]:
    """The same-site links and the forms of one page."""
    reader = _Reader(page)
    reader.feed(html)
    links = [
        link
        for link in reader.links
        if not urlsplit(link).netloc or urlsplit(link).netloc == "localhost"
    ]
    return links, reader.forms


def local(url: str) -> str:
    """A page's address without scheme and host, as the test client wants it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
