"""Rate-limit counters in the app's own database, for installs without Redis.

Flask-Limiter's memory storage counts per worker process: with two workers, 20 sign-in
attempts a minute got through where 10 are allowed. Without REDIS_URL the counters live here
instead (RATELIMIT_STORAGE_URI "coordinator-db://", set by create_app), in the database every
worker already shares: one SQLite file for the workers of one host, or one PostgreSQL for
every host. Each hit is one upsert on its own short transaction (never the request's), so a
counter holds across workers, hosts and restarts. It costs a write per rate-limited request
(sign-in, report, join, claim: a few a minute), which is why Redis is still preferred when
there is one.

Fixed windows, as Flask-Limiter's default strategy asks: a key's count and the moment its
window ends; a hit after that moment starts a new window.
"""

import hashlib
import itertools
import logging
import time

from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db
from coordinator.work import insert_for

SCHEME = "coordinator-db"
_PURGE_EVERY = 200  # hits between sweeps of windows long over


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counters"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)  # epoch seconds, as `limits` counts


def _key(key: str) -> str:
    # Keys name the client and the limit; a long one is stored by its digest.
    return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage on db.engine of the app handling the request."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._hits = itertools.count(1)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter.__table__
        with db.engine.begin() as conn:
            stmt = insert_for(conn, table).values(
                key=_key(key), count=amount, expires_at=now + expiry
            )
            over = table.c.expires_at <= now
            stmt = stmt.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case(
                        (over, stmt.excluded.count), else_=table.c.count + stmt.excluded.count
                    ),
                    "expires_at": case((over, stmt.excluded.expires_at), else_=table.c.expires_at),
                },
            ).returning(table.c.count)
            count = conn.execute(stmt).scalar_one()
            if next(self._hits) % _PURGE_EVERY == 0:
                conn.execute(delete(table).where(table.c.expires_at <= now))
        return count

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with db.engine.connect() as conn:
            return conn.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == _key(key))
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        now = time.time()
        return row.expires_at if row and row.expires_at > now else now

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as conn:
            return conn.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with db.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.key == _key(key)))


def init_app(app, limiter) -> None:
    """Bind the limiter to counters every worker on every host shares: Redis when there is one,
    else the database (above). Redis away: Flask-Limiter counts in memory meanwhile
    (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) and says so on the log."""
    if app.config.get("REDIS_URL"):
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
        # A Redis that stops answering must not hold a sign-in for long: fail fast, fall back.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    else:
        app.config.setdefault("RATELIMIT_STORAGE_URI", f"{SCHEME}://")
    limiter.init_app(app)
    _log_limiter_messages()


def _log_limiter_messages() -> None:
    """Flask-Limiter's own logger has only a NullHandler: send its "storage unreachable, falling
    back to in-memory" (and "recovered") where the app's warnings go (stderr, gunicorn's log)."""
    from flask.logging import default_handler

    logger = logging.getLogger("flask-limiter")
    if default_handler not in logger.handlers:
        logger.addHandler(default_handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)  # "recovered" is said at INFO
