"""社区协作台 — the community service coordinator. create_app() wires extensions and domains."""

from importlib import import_module
from importlib.util import find_spec

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from coordinator.config import INSTANCE, ROOT, Config, secret_key

# Each domain is a package with a blueprint named `bp`; order is the order of registration.
DOMAINS = [
    "core",
    "auth",
    "places",
    "teams",
    "notifications",
    "uploads",
    "cases",
    "events",
    "signups",
    "attendance",
    "volunteers",
    "bikes",
    "exports",
    "dashboard",
    "hotspots",
    "open311",
    "campaigns",
    "plans",
    "warnings",
    "patrols",
    "demo",
]


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config["SECRET_KEY"] = secret_key(app.config, development=app.debug or app.testing)
    # The app's own lines at LOG_LEVEL (INFO unless set): without a level the app logger says
    # only warnings, and a text "sent" by the log sender in development (the demo's tracking
    # links, job links, password links) reached no one.
    app.logger.setLevel(app.config["LOG_LEVEL"])
    # One catalog for the whole app (coordinator/core/i18n.py: `flask translate`).
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "coordinator" / "translations")
    )
    INSTANCE.mkdir(parents=True, exist_ok=True)
    if app.config.get("PROXY_COUNT"):
        # Trust exactly that many proxies' X-Forwarded-For / -Proto, and nothing a client adds.
        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from coordinator import access, converters, i18n, ratelimits, ui
    from coordinator.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    ratelimits.init_app(app, limiter)
    login_manager.init_app(app)
    i18n.init_app(app)
    babel.init_app(app, locale_selector=ui.select_locale)
    ui.init_app(app)
    converters.init_app(app)

    for name in DOMAINS:
        module = import_module(f"coordinator.{name}")
        # A domain's blueprint.py is its URL map and imports its views, so importing a domain's
        # models or services elsewhere never drags its routes along. A domain with commands
        # only (demo) keeps its blueprint in __init__.py.
        if find_spec(f"coordinator.{name}.blueprint"):
            app.register_blueprint(import_module(f"coordinator.{name}.blueprint").bp)
        else:
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
        # What the domain offers to shared pages (nav, home numbers, a team's record).
        if find_spec(f"coordinator.{name}.offers"):
            import_module(f"coordinator.{name}.offers").register(app)

    app.before_request(access.guard)
    return app
