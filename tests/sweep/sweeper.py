"""The sweep itself: crawl a role's pages, then send hostile values to everything found.

A Sweep holds one test client signed in as one role. It finds pages by following the links
of the app's own pages (starting from every GET route without arguments), reads every form
on them, and then sends, over the real request stack (routing, forms, services, database):

- every path argument replaced by numbers no column holds, non-ASCII digits and junk text;
- every query name the route reads (its filter form's fields and the names the code reads)
  with every kind of hostile value;
- every form field with every kind, the other fields holding good values and markers;
- forged headers and a junk language cookie on every page and form.

It records any 5xx (`failures`) and every 400/413/422 answer to a form that lost a value the
person typed in another field (`lost`).
"""

import itertools
import re
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import unquote, urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from tests.sweep import corpus
from tests.sweep.pages import Form, local, read

PASSWORD = "demo1234"
LOGINS = {
    "admin": "13800000001",
    "staff": "13800000002",
    "lead": "13800000005",
    "worker": "13800000006",
    "volunteer": "13800000007",
    "resident": "13800000008",
    "anonymous": None,
}
ROLES = list(LOGINS)
INPUT_ERRORS = (400, 413, 422)
# Signing out and the language switch sit on every page; they are swept on their own, last.
LAST = {"auth.logout"}
FORM = "application/x-www-form-urlencoded"
_PHONES = itertools.count(1)
_TURNS = itertools.count()


def args_read_in_code() -> list[str]:
    """Query names the routes read themselves (request.args.get("x"), args.getlist("x"))."""
    names = set()
    for path in (Path(__file__).parents[2] / "coordinator").rglob("*.py"):
        names |= set(re.findall(r'args\.get(?:list)?\(\s*"(\w+)"', path.read_text()))
    return sorted(names)


def path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


class Sweep:
    def __init__(self, app, client, role: str):
        self.app, self.client, self.role = app, client, role
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.lost: list[str] = []
        self.requests = 0
        self.pages: dict[str, list[str]] = defaultdict(list)  # endpoint → addresses seen
        self.forms: dict[tuple, Form] = {}  # (endpoint, field names) → the first such form
        self.filters: dict[str, set[str]] = defaultdict(set)  # endpoint → query names
        self.swept: set[str] = set()  # endpoints that got hostile values
        self.fields: set[tuple[str, str]] = set()  # (endpoint, field) that got them; "" a button
        self.token: str | None = None  # the CSRF token of the pages, when they carry one
        self.baselines: dict[str, int] = {}  # form address → status of its good submission

    # -- the wire ----------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        label: str = "",
        headers: dict | None = None,
    ):
        headers = dict(headers or {})
        if self.token and method == "POST":  # as htmx sends it (hx-headers on <body>)
            headers.setdefault("X-CSRFToken", self.token)
        response = self.client.open(
            path,
            method=method,
            data=body,
            headers=headers,
            content_type=FORM if body is not None else None,
        )
        self.requests += 1
        if response.is_streamed and not response.content_type.startswith("text/html"):
            # A streamed file (/cases.csv) holds its request's context until read or closed,
            # as a server does at once; read it here, whether or not the sweep looks at it.
            response.get_data()
        if response.status_code >= 500:
            shown = path if len(path) < 160 else path[:160] + "…"
            self.failures.append(f"{self.role} {method} {shown} {label}: {response.status_code}")
        return response

    def login(self):
        phone = LOGINS[self.role]
        if phone is None:
            return
        response = self.client.post("/login", data={"phone": phone, "password": PASSWORD})
        assert response.status_code == 302, (self.role, response.status_code)

    def endpoint(self, url: str, method: str = "GET") -> str | None:
        try:
            endpoint, _ = self.adapter.match(path_of(url), method=method)
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None
        return endpoint

    # -- finding pages and forms -------------------------------------------------------------

    def crawl(self, seeds=(), per_endpoint: int = 2, budget: int = 200) -> None:
        """Pages from every GET route without arguments, the seeds (addresses no page links
        to: a job link from an SMS, a claim code from a printed notice) and their links."""
        start = ["/home" if self.role != "anonymous" else "/", *seeds]
        start += [
            r.rule
            for r in self.app.url_map.iter_rules()
            if not r.arguments and "GET" in r.methods and r.endpoint != "static"
        ]
        queue, seen = deque(start), set()
        while queue and len(seen) < budget:
            url = queue.popleft()
            endpoint = self.endpoint(url)
            if url in seen or endpoint in (None, "static"):
                continue
            if len(self.pages[endpoint]) >= per_endpoint:
                continue
            seen.add(url)
            response = self.send("GET", url, label="crawl")
            if response.status_code >= 400:
                continue
            self.pages[endpoint].append(url)  # a redirect (/ to /home) is a page reached too
            if response.status_code != 200:
                continue
            if not response.content_type.startswith("text/html"):
                continue
            html = response.get_data(as_text=True)
            token = re.search(r'"X-CSRFToken": "([^"]+)"', html)
            self.token = token.group(1) if token else self.token
            links, forms = read("http://localhost" + url, html)
            for form in forms:
                self._keep(form)
            queue.extend(local(link) for link in links)

    def _keep(self, form: Form) -> None:
        action = local(form.action)
        endpoint = self.endpoint(action, form.method)
        if endpoint is None:
            return
        if form.method == "GET":
            self.filters[endpoint] |= {f.name for f in form.fields if f.kind != "button"}
            return
        form.action = action
        self.forms.setdefault((endpoint, tuple(form.names())), form)

    # -- good values -------------------------------------------------------------------------

    @staticmethod
    def phone() -> str:
        """A new mobile number each time: forms that make accounts want an unused one."""
        return f"137{next(_PHONES):08d}"

    def baseline(self, form: Form) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """What a careful person would send: the page's own values, good values in empty
        fields, and a marker in each empty free-text field (to find it again on a 4xx)."""
        pairs, markers, radios, buttons = [], {}, set(), set()
        for i, f in enumerate(form.fields):
            value = f.value
            if f.kind == "file":
                continue
            if f.kind == "button":
                if f.name in buttons:
                    continue
                buttons.add(f.name)
            elif f.kind == "checkbox":
                if not f.checked:
                    continue
                value = value or "y"
            elif f.kind == "radio":
                if f.name in radios or not (
                    f.checked or not any(g.checked for g in form.fields if g.name == f.name)
                ):
                    continue
                radios.add(f.name)
            elif f.kind == "select":
                value = value or next((o for o in f.options if o), "")
            elif f.kind == "password":
                value = "pass-word-1234"
            elif f.kind == "number":
                value = value or "1"
            elif f.kind == "date":
                value = value or "2026-12-20"
            elif f.kind == "datetime-local":
                value = value or "2026-12-20T09:00"
            elif f.kind == "tel" or "phone" in f.name:
                value = value if value and f.kind == "hidden" else self.phone()
            elif f.kind in ("text", "textarea", "search", "email") and not value:
                if f.name == "website":  # the bots' field stays empty
                    value = ""
                elif f.name == "code":
                    value = "123456"
                else:
                    value = markers[f.name] = f"标记{i}号"
            pairs.append((f.name, value))
        return pairs, markers

    # -- hostile values ----------------------------------------------------------------------

    def sweep_form(self, endpoint: str, form: Form, full: bool, light: bool = False) -> None:
        """Every field with every kind of value, and each field alone with the others good.

        The first part is a Latin square: request j gives field i kind (i + j) mod K, so K
        requests put every kind in every field. The second part is what finds faults deeper
        down: only the one field is bad, so the form may pass validation and take the value
        to the service and the database, and a refusal must keep the other fields' markers.
        """
        self.swept.add(endpoint)
        good, markers = self.baseline(form)
        self.baselines[form.action] = self.send(
            "POST", form.action, corpus.encode(good), label="baseline"
        ).status_code
        token = [(k, v) for k, v in good if k == "csrf_token"]
        names = [n for n in form.names() if n != "csrf_token"]
        self.fields |= {(endpoint, n) for n in names or [""]}
        if not names:  # a button: only its path and headers can be hostile
            return
        kinds = corpus.KINDS if full else corpus.SAMPLE[:3] if light else corpus.SAMPLE
        for j in range(len(kinds)):
            pairs = [(n, corpus.VALUES[kinds[(i + j) % len(kinds)]]) for i, n in enumerate(names)]
            self.send(
                "POST",
                form.action,
                corpus.encode(token + pairs),
                label=f"every field, kinds from {kinds[j]}",
            )
        # Every field twice, with two values: which one a form takes, it must take calmly.
        twice = [(k, v) for k, v in good for v in (v, "另一个")] + [
            (n, "") for n in names if n not in dict(good)
        ]
        self.send("POST", form.action, corpus.encode(twice), label="every field repeated")
        if light:
            return
        shapes = {}
        for f in form.fields:  # roles-0-name and roles-3-name are one field to a form
            if f.name != "csrf_token":
                shapes.setdefault(re.sub(r"-\d+-", "-N-", f.name), f)
        for n, f in enumerate(shapes.values()):
            name = f.name
            alone = corpus.ALONE[corpus.TYPES.get(f.kind, "choice")]
            if not full:
                alone = [alone[n % len(alone)]]
            for kind in alone:
                pairs = [(k, v) for k, v in good if k != name] + [(name, corpus.VALUES[kind])]
                response = self.send(
                    "POST", form.action, corpus.encode(pairs), label=f"{name}={kind}"
                )
                if response.status_code in INPUT_ERRORS:
                    self._check_kept(response, form, name, kind, markers)

    def _check_kept(self, response, form, name, kind, markers) -> None:
        html = response.get_data(as_text=True)
        missing = [
            other for other, marker in markers.items() if other != name and marker not in html
        ]
        if missing:
            self.lost.append(
                f"{self.role} POST {form.action} {name}={kind}: "
                f"{response.status_code} lost {', '.join(missing)}"
            )

    def sweep_filters(
        self, endpoint: str, url: str, names: list[str], full: bool, names_shown: bool = True
    ):
        """Every query name with every kind (a Latin square, as for forms), and repeated."""
        self.swept.add(endpoint)
        base = urlsplit(url).path
        kinds = corpus.KINDS if full else corpus.SAMPLE if names_shown else corpus.PAGE_SAMPLE
        for j in range(len(kinds)):
            pairs = [(n, corpus.IN_QUERY[kinds[(i + j) % len(kinds)]]) for i, n in enumerate(names)]
            self.send(
                "GET",
                f"{base}?{corpus.encode(pairs).decode()}",
                label=f"filters, kinds from {kinds[j]}",
            )
        repeated = [(n, v) for n in names for v in (b"1", corpus.VALUES["date-max"])]
        self.send("GET", f"{base}?{corpus.encode(repeated).decode()}", label="filters repeated")

    def sweep_path(self, rule, url: str, body: bytes | None, values_for, full: bool) -> None:
        """Each argument of the rule replaced in turn; the others as in a real address."""
        try:
            _, real = self.adapter.match(path_of(url), method="POST" if body is not None else "GET")
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return
        method = "GET" if "GET" in rule.methods else "POST"
        for arg in rule.arguments:
            for raw in values_for(rule, arg, full):
                path = rule.rule
                for other in rule.arguments:
                    value = corpus.q(raw) if other == arg else str(real[other])
                    path = re.sub(rf"<(?:[^:<>]+:)?{other}>", lambda _m, v=value: v, path)
                self.send(
                    method,
                    path,
                    body if method == "POST" else None,
                    label=f"path {arg}={raw[:20]!r}",
                )

    def sweep_headers(self, method: str, url: str, body: bytes | None, full: bool) -> None:
        """Forged headers and a junk language cookie: all of them (full), else an htmx target
        that names no block plus one other header and one cookie, taken in turn (over a
        role's pages every kind comes round many times)."""
        labels, cookies, turn = list(corpus.HEADERS), corpus.COOKIES, next(_TURNS)
        if not full:  # a header or a cookie in turn
            labels = ["hx-target-unknown"] + ([labels[turn % len(labels)]] if turn % 2 else [])
            cookies = [] if turn % 2 else [cookies[turn // 2 % len(cookies)]]
        if method == "POST":  # a form's fields are swept already: one forged header in turn
            labels, cookies = [labels[-1]], []
        for label in labels:
            self.send(method, url, body, label=label, headers=corpus.HEADERS[label])
        for cookie in cookies:
            self.client.set_cookie("lang", cookie.decode("latin-1"))
            self.send(method, url, body, label=f"lang cookie {cookie[:12]!r}")
        self.client.delete_cookie("lang")
