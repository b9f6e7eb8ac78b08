"""Configuration from the environment; every setting has a safe default for a laptop.

The one setting with no default is the secret key: it signs sessions, CSRF tokens and job
links, so a key anyone can read in this file would let anyone forge an admin's session. It
comes from SECRET_KEY, or from the file SECRET_KEY_FILE names, by default instance/secret_key
if there is one (`make` makes a random one there once and keeps it). Without either,
create_app refuses to start, except in development (FLASK_DEBUG=1) and tests, which get a
random key for the life of the process.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE / 'coordinator.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg 3 driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return value in ("1", "true", "yes") if value else default


def notify_worker() -> bool:
    """NOTIFY_WORKER: whether gunicorn's arbiter runs the outbox delivery process (read when
    the server is ready, so a worker host and a web host can share one configuration file)."""
    return os.environ.get("NOTIFY_WORKER", "1") not in ("0", "false", "no")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    # instance/secret_key when `make` has made one: the flask commands of a checkout find it.
    SECRET_KEY_FILE = os.environ.get("SECRET_KEY_FILE") or (
        str(INSTANCE / "secret_key") if (INSTANCE / "secret_key").is_file() else ""
    )
    SQLALCHEMY_DATABASE_URI = _database_url()
    # A server's connections can go stale (restart, failover): test each one as it is taken.
    # A SQLite file has no server, and the test is a statement on every request.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": not SQLALCHEMY_DATABASE_URI.startswith("sqlite")}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    RATELIMIT_HEADERS_ENABLED = True
    # Redis away: count in this process for a while (and log it) rather than fail sign-ins.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()  # the app logger's (stderr)
    # A texted link to set one's password (auth/password_links.py): how long it works, and how
    # often one account is texted one when someone asks for it (/password).
    PASSWORD_LINK_HOURS = int(os.environ.get("PASSWORD_LINK_HOURS", "168"))
    PASSWORD_LINK_EVERY_MINUTES = 10
    PASSWORD_LINK_RATE_LIMIT = os.environ.get(
        "PASSWORD_LINK_RATE_LIMIT", "5 per minute; 20 per hour"
    )
    # How many proxies in front of the app set X-Forwarded-For (and -Proto); 0 = none, and the
    # header is ignored, so a client cannot name its own address to dodge the limits.
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    # Passwords: scrypt (werkzeug's default); the tests ask for a cheap method.
    PASSWORD_HASH_METHOD = "scrypt"

    WTF_CSRF_TIME_LIMIT = None  # a duty desk keeps a form open all shift
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    # "Keep me signed in": a month, not a year, and guarded like the session cookie.
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 30))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "中文", "en": "English"}

    # Events and bike drives. The claim period of abandoned-bike drives: no city rule fixes it
    # (DOMAIN.md); an owner's claims through the tag's link, per address.
    BIKE_CLAIM_DAYS = _int("BIKE_CLAIM_DAYS", 15)
    CLAIM_RATE_LIMIT = os.environ.get("CLAIM_RATE_LIMIT", "10 per minute; 60 per hour")
    # A volunteer's own calendar feed (/feeds/<secret>.ics), fetched by calendar apps every
    # quarter hour or so; per client address, so that nobody walks through guessed secrets.
    CALENDAR_FEED_RATE_LIMIT = os.environ.get(
        "CALENDAR_FEED_RATE_LIMIT", "30 per minute; 300 per hour"
    )

    PER_PAGE = 25

    # Photos (uploads/)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # a form with six 10 MB photos still fits
    PHOTO_MAX_BYTES = 10 * 1024 * 1024  # per photo, read no further
    # The longest side stored. Decoding goes down to 3/4 of it first (processing.DRAFT_FLOOR):
    # a 4,000 px phone photo is decoded and kept at 2,000 px, a 6,000 px one shrunk to this.
    PHOTO_MAX_SIDE = 2560
    PHOTO_THUMB_SIDE = 400
    # Width × height from the file's header, checked before decoding: more is a memory bomb,
    # not a photo. A 60 MP JPEG decodes at 1/4 scale (draft), other formats at full size.
    PHOTO_MAX_PIXELS = 60_000_000

    # Cases (cases/)
    # Deadlines by urgency tier in hours, over workflow.DEFAULT_SLA_HOURS ({} = those).
    CASE_SLA_HOURS: dict = {}
    CASE_LINK_MAX_AGE = 3 * 86400  # a job link sent by SMS works for three days
    CASE_REPORT_RATE_LIMIT = "5 per minute; 30 per day"  # the anonymous /report
    CASE_SEARCH_DAYS = 90  # the board's text search looks this far back
    # The dashboard's composite score 综合成绩 (DOMAIN.md): weights of the three rates.
    DASHBOARD_WEIGHTS = {"response": 0.1, "resolution": 0.5, "satisfaction": 0.4}
    DASHBOARD_MONTHS = 12  # the month picker and the trend charts go this far back
    # Hot spots: a compound shares a problem with others once it has this many of its cases in
    # the period (coordinator/hotspots/queries.py shared_problems).
    HOTSPOTS_SHARED_MIN = 2
    # Similar cases (cases/similar.py): open ones, and those logged this many days back.
    CASE_SIMILAR_DAYS = 90
    CASE_SIMILAR_SHOWN = 5  # at most this many on a panel (3 on the public /report)
    CASE_SIMILAR_TEXT_SCORE = 50  # rapidfuzz WRatio (0-100) from which descriptions are alike
    # The public lookup of /report ("already reported here"), per address.
    CASE_SIMILAR_RATE_LIMIT = "20 per minute; 200 per day"
    # The place search of /report and /cases/new (a request a keystroke), per address.
    PLACE_SEARCH_RATE_LIMIT = os.environ.get(
        "PLACE_SEARCH_RATE_LIMIT", "120 per minute; 3000 per day"
    )
    # The address in text messages' links, when requests cannot tell it (CLI, a proxy).
    PUBLIC_URL = ""

    # Open311 GeoReport v2 (open311/). One jurisdiction: clients may leave jurisdiction_id out,
    # another one is a 404. Set it to the subdistrict's web domain when it has one.
    OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "beitaipingzhuang")
    OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")  # discovery's contact; "" = office
    OPEN311_WINDOW_DAYS = 90  # the spec's default and widest window of GET requests
    OPEN311_PAGE_SIZE = _int("OPEN311_PAGE_SIZE", 50)  # requests per answer unless page_size
    OPEN311_MAX_PAGE_SIZE = 1000  # the spec's "first 1000 requests"
    # POST requests per key and per client address (reads are bounded, and not limited).
    OPEN311_KEY_RATE_LIMIT = os.environ.get("OPEN311_KEY_RATE_LIMIT", "60 per minute; 5000 per day")
    OPEN311_ADDRESS_RATE_LIMIT = os.environ.get("OPEN311_ADDRESS_RATE_LIMIT", "120 per minute")

    # The outbox (notifications/): delivery, retries, senders
    NOTIFY_MAX_ATTEMPTS = 8
    NOTIFY_BACKOFF_SECONDS = 30
    NOTIFY_BACKOFF_MAX_SECONDS = 6 * 3600
    NOTIFY_LEASE_SECONDS = 300  # a claimed message is taken again after this if not finished
    NOTIFY_POLL_SECONDS = _float("NOTIFY_POLL_SECONDS", 10)
    # How often the delivery worker runs the plans' due work (`flask plans run`); 0: never
    # (then cron runs `flask plans run`).
    PLANS_EVERY_SECONDS = _float("PLANS_EVERY_SECONDS", 60)
    NOTIFY_QUEUE = "coordinator"
    # How a request that committed messages starts their delivery: "rq", "thread", "inline"
    # or "off"; unset: RQ with Redis, a thread without, off in tests (notifications.init_app).
    NOTIFY_KICK = os.environ.get("NOTIFY_KICK", "")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "")
    MAIL_SENDER_NAME = "社区协作台"
    MAIL_TIMEOUT = 20
    SMS_SENDER = os.environ.get("SMS_SENDER", "coordinator.notifications.senders:LogSmsSender")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # real hashing costs 0.3 s a user


class MissingSecretKey(RuntimeError):
    pass


def secret_key(config, development: bool) -> str:
    """The app's secret key (see the top of this module); refuses to make one up in production."""
    if config.get("SECRET_KEY"):
        return config["SECRET_KEY"]
    path = config.get("SECRET_KEY_FILE")
    if path:
        try:
            key = Path(path).read_text().strip()
        except OSError as error:
            raise MissingSecretKey(f"SECRET_KEY_FILE {path} cannot be read: {error}") from None
        if key:
            return key
    if development:
        return secrets.token_hex(32)  # sessions last until the process restarts
    raise MissingSecretKey(
        "SECRET_KEY is not set. Set SECRET_KEY (the same on every host) or SECRET_KEY_FILE, "
        "or FLASK_DEBUG=1 for development; `make run` keeps one in instance/secret_key."
    )
