"""A case log in a database, read and never written: SQLite opened read-only with only reading statements
allowed, PostgreSQL in a read-only transaction, a query that would write refused naming it."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pandas as pd

from ..errors import DataError, cut
from .excel import cell_text


def _expand_env(url: str, label: str, root: Path | None = None) -> str:
    """``${NAME}`` in a database URL, from the environment or the project's git-ignored ``.env`` file."""
    from dotenv import dotenv_values

    env = {**(dotenv_values(root / ".env") if root is not None else {}), **os.environ}

    def sub(m):
        name = m.group(1)
        if env.get(name) is None:
            raise DataError(f"{label}: environment variable {name} is not set; set it, or put it in the "
                            "project's .env file, before running reportlib")
        return env[name]
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, url)


#: What a read may do in SQLite (its authorizer's actions): read tables, call functions, recurse in a CTE, and
#: the pragmas SQLAlchemy reads a table's columns with. Anything else (ATTACH, which VACUUM INTO does first, a
#: write, a pragma that sets something) is refused before it runs.
_SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


_SQLITE_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list"}


_COMMENTS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*(?:(?!/\*).)*?\*/|\()*", re.S)


def _refused(query: str, label: str) -> DataError:
    return DataError(f"{label}: query: may only read (one SELECT statement); '{cut(query)}' was refused and "
                     "nothing was changed; check query: in the params file")


def reads_only(query: str) -> bool:
    """Whether a query starts as a reading statement does (SELECT, WITH, VALUES, TABLE), after comments; what it
    goes on to do is the database's to refuse (a read-only transaction, SQLite's authorizer)."""
    rest = query[_COMMENTS.match(query).end():]
    return re.match(r"(?:select|with|values|table)\b", rest, re.I) is not None


def _sqlite_engine(database: str, denied: list[int]):
    """An engine on a SQLite file opened read-only (mode=ro, query_only) whose authorizer lets only reads run."""
    import sqlalchemy as sa
    from urllib.request import pathname2url

    def authorize(action, name, argument, _database, _trigger) -> int:
        pragma = str(name).lower() if action == sqlite3.SQLITE_PRAGMA else None
        if action in _SQLITE_READS or pragma in _SQLITE_PRAGMAS or (pragma == "read_uncommitted" and argument is None):
            return sqlite3.SQLITE_OK
        denied.append(action)
        return sqlite3.SQLITE_DENY

    def connect():
        con = sqlite3.connect(f"file:{pathname2url(str(Path(database).absolute()))}?mode=ro", uri=True,
                              check_same_thread=False)
        con.execute("PRAGMA query_only = ON")
        con.set_authorizer(authorize)
        return con
    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)


def _engine(url: str, label: str, root: Path | None, denied: list[int], sqlite_file: bool = False):
    """An engine that can only read: SQLite read-only with an authorizer; PostgreSQL in read-only transactions
    (default_transaction_read_only, SET TRANSACTION READ ONLY), each query one statement (psycopg prepares it)."""
    import sqlalchemy as sa
    if sqlite_file:  # a file on disk, not a URL
        return _sqlite_engine(url, denied)
    try:
        parsed = sa.engine.make_url(_expand_env(url, label, root))
        if parsed.get_backend_name() == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise DataError(f"{label}: name the SQLite database file in the URL (sqlite:///path/to/file.db)")
            return _sqlite_engine(parsed.database, denied)
        if parsed.get_backend_name() == "postgresql":
            connect = {"options": "-c default_transaction_read_only=on"}
            if parsed.get_driver_name() == "psycopg":
                connect["prepare_threshold"] = 0  # prepared: a query holding two statements is refused
            return sa.create_engine(parsed, connect_args=connect, poolclass=sa.pool.NullPool,
                                    execution_options={"postgresql_readonly": True})
        return sa.create_engine(parsed, poolclass=sa.pool.NullPool)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ModuleNotFoundError) as e:
        raise DataError(f"{label}: not a database URL SQLAlchemy can use ({type(e).__name__}: {e}); "
                        "for PostgreSQL install reportlib[postgres] (psycopg)") from None


def _writes(error: BaseException) -> bool:
    """Whether a database error says the query tried to change something (or to run more than one statement)."""
    cause = getattr(error, "orig", None) or getattr(error.__cause__, "orig", None) or error.__cause__ or error
    text = str(cause).lower()
    return (getattr(cause, "sqlstate", None) == "25006"  # PostgreSQL: read_only_sql_transaction
            or "multiple commands" in text or "one statement at a time" in text
            or "readonly database" in text or "not authorized" in text)


def read_database(url: str, table: str | None, query: str | None, label: str,
                   root: Path | None = None, sqlite_file: bool = False) -> pd.DataFrame:
    """The table or query's result as a grid of text, its header the first row; read-only (:func:`_engine`)."""
    import sqlalchemy as sa
    if query and not reads_only(query):
        raise _refused(query, label)
    denied: list[int] = []
    engine = _engine(url, label, root, denied, sqlite_file)
    try:
        with engine.connect() as conn:
            if query:
                frame = pd.read_sql_query(sa.text(query), conn)
            else:
                if not table:
                    tables = sa.inspect(conn).get_table_names()
                    if len(tables) != 1:
                        raise DataError(f"{label}: say which table holds the case log with table: in the params file; "
                                        f"the database has: {', '.join(tables) or 'no tables'}")
                    table = tables[0]
                if not sa.inspect(conn).has_table(table):
                    raise DataError(f"{label}: no table '{cut(table)}' (table: in the params file)")
                frame = pd.read_sql_table(table, conn)
    except (sa.exc.DBAPIError, pd.errors.DatabaseError) as e:
        if query and (denied or _writes(e)):
            raise _refused(query, label) from None
        if isinstance(e, sa.exc.OperationalError):
            first = str(e.orig).strip().splitlines()[0] if getattr(e, "orig", None) else str(e).splitlines()[0]
            raise DataError(f"{label}: cannot read the database: {cut(first, 200)}") from None
        # pandas wraps a failing query's error (sqlite: "no such column") in its own DatabaseError
        cause = getattr(e, "orig", None) or getattr(e.__cause__, "orig", None) or e.__cause__ or e
        first = str(cause).strip().splitlines()[0]
        raise DataError(f"{label}: the query failed: {cut(first, 200)}; check query: in the params file") from None
    finally:
        engine.dispose()
    header = pd.DataFrame([list(frame.columns)], dtype=object)
    body = frame.astype(object).apply(cell_text) if len(frame) else frame.astype(object)
    body.columns = range(len(frame.columns))
    header.columns = range(len(frame.columns))
    return pd.concat([header, body], ignore_index=True)
