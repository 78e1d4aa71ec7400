"""The case log read from a real PostgreSQL server through SQLAlchemy.

``./dev test`` (and so ``.ci/run``) installs and starts Debian's PostgreSQL and gives the current
user a role; these tests connect over the local Unix socket with that role, so no password is
involved. Where no server can be reached they skip, saying why.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import pytest
import sqlalchemy as sa

from factory import REPO, childrens_params, write_params, warm_render
from reportlib import casedata, sources
import reportlib.sources.database  # noqa: F401 - patched below
from reportlib.errors import DataError, ParamsError, cut
from reportlib.reports import load as load_params
from test_render import small_log

pytestmark = pytest.mark.postgres
SERVER = os.environ.get("REPORTLIB_TEST_PG", "postgresql:///postgres")


@pytest.fixture(scope="module")
def database():
    try:
        admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:  # no server to talk to (a missing driver is a failure, not a skip)
        pytest.skip(f"no PostgreSQL server reachable at {SERVER} ({type(e).__name__}); ./dev test starts one as root")
    name = f"reportlib_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    engine = sa.create_engine(url)
    rows = small_log()
    with engine.begin() as conn:
        # An export with its own headers and codes, real DATE columns, and personal data.
        conn.execute(sa.text("""
            CREATE TABLE complaints_export (
                "Reference" text, "Type" text, "Procedure" text, "Stage" integer,
                "Date Received" date, "Date Responded" date, "Team" text, "Service Area" text,
                "Reason For Delay" text, "Complainant" text, "Email" text)"""))
        for r in rows:
            conn.execute(sa.text("""INSERT INTO complaints_export VALUES
                (:ref, :kind, :proc, :stage, :rec, :resp, :team, :service, :reason, :who, :email)"""), {
                "ref": r["case_ref"], "kind": r["kind"].capitalize(), "proc": {"childrens": "CSC"}.get(
                    r["procedure"], r["procedure"]), "stage": int(r["stage"]) if r["stage"] else None,
                "rec": dt.datetime.strptime(r["received"], "%d/%m/%Y").date(),
                "resp": dt.datetime.strptime(r["responded"], "%d/%m/%Y").date() if r["responded"] else None,
                "team": r["team"], "service": r["service"], "reason": r["delay_reason"] or None,
                "who": r["complainant_name"], "email": r["email"]})
    yield url
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


MAPPING = {
    "columns": {"case_ref": "Reference", "kind": "Type", "procedure": "Procedure", "stage": "Stage",
                "received": "Date Received", "responded": "Date Responded", "team": "Team",
                "service": "Service Area", "delay_reason": "Reason For Delay"},
    "values": {"procedure": {"CSC": "childrens"}},
}


def test_reads_a_table_with_mapping(database):
    log = casedata.load(casedata.Source(database, table="complaints_export", **MAPPING))
    assert log.rows_read == log.rows_used == 16
    assert set(log.cases["procedure"].astype(str)) == {"childrens", "corporate"}
    assert log.cases.loc[log.cases["case_ref"] == "W1", "received"].iloc[0] == dt.datetime(2020, 4, 14)
    assert "complainant_name" not in log.cases and "email" not in log.cases
    assert log.cases["row"].tolist() == list(range(1, 17))   # record numbers


def test_reads_a_query(database):
    query = 'SELECT * FROM complaints_export WHERE "Procedure" = \'CSC\''
    log = casedata.load(casedata.Source(database, query=query, **MAPPING))
    assert log.rows_read == 15


def test_credentials_come_from_the_environment(database, monkeypatch):
    monkeypatch.setenv("REPORTLIB_DB", database.rsplit("/", 1)[1])
    url = database.rsplit("/", 1)[0] + "/${REPORTLIB_DB}"
    assert casedata.load(casedata.Source(url, table="complaints_export", **MAPPING)).rows_used == 16
    monkeypatch.delenv("REPORTLIB_DB")
    with pytest.raises(DataError, match="environment variable REPORTLIB_DB is not set"):
        casedata.load(casedata.Source(url, table="complaints_export", **MAPPING))


def test_a_password_in_a_params_file_is_refused(tmp_path):
    path = write_params(tmp_path / "p.yaml", childrens_params("postgresql://officer:s3cret@db.example/complaints",
                                                              table="cases"))
    with pytest.raises(ParamsError) as e:
        load_params(path)
    assert "s3cret" not in str(e.value)
    assert "contains a password" in str(e.value) and "PGPASSWORD" in str(e.value)


def test_unknown_table_is_one_clear_line(database):
    with pytest.raises(DataError) as e:
        casedata.load(casedata.Source(database, table="nope", **MAPPING))
    assert str(e.value) == f"{database}: no table 'nope' (table: in the params file)"


def test_render_from_postgres_matches_the_csv_render(database, tmp_path):
    os.chdir(REPO)
    params = write_params(tmp_path / "pg.yaml", childrens_params(database, table="complaints_export", **MAPPING))
    out = warm_render(params, out=tmp_path / "out").out
    figures = json.loads((out / "figures.json").read_text())
    assert figures["baseline"]["text"] == "2 of 4 responses"  # below ten cases: no percentage
    assert figures["since_change"]["text"] == "3 of 5 responses"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs_sha256"][database].startswith("sha256 of the rows read: ")
    assert "Zebedee" not in (out / "report.ipynb").read_text()


# --- read, never written (issue 18) ----------------------------------------------------------------------------

PG_WRITES = [
    "DROP TABLE complaints_export",
    "DELETE FROM complaints_export",
    'WITH gone AS (DELETE FROM complaints_export RETURNING *) SELECT * FROM gone',
    'SELECT * FROM complaints_export; DROP TABLE complaints_export',
    # Two statements that would turn the read-only transaction off before writing: one statement at a time only.
    "SELECT 1 AS a; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; DROP TABLE complaints_export",
    'SELECT * INTO copied FROM complaints_export',
    'SELECT * FROM complaints_export FOR UPDATE',
    "COPY complaints_export TO STDOUT",
    "CREATE TABLE more (x int)",
    'UPDATE complaints_export SET "Type" = \'Comment\'',
]


def _state(database) -> list:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return [conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).all(),
                    conn.execute(sa.text('SELECT count(*), count(DISTINCT "Type") FROM complaints_export')).all()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("gate", [True, False], ids=["refused before it reaches PostgreSQL", "refused by PostgreSQL"])
@pytest.mark.parametrize("statement", PG_WRITES)
def test_postgres_is_only_read(database, monkeypatch, statement, gate):
    """Refused in one line naming the statement, and nothing changed. Without the first check (the statement's first
    word) PostgreSQL itself refuses: the query runs in a read-only transaction, one statement at a time."""
    if not gate:
        if statement.startswith("COPY"):
            pytest.skip("COPY TO is reading to PostgreSQL (a read-only transaction allows it, to a server file too "
                        "for a superuser): only the first-word check refuses it")
        monkeypatch.setattr(sources.database, "reads_only", lambda query: True)
    before = _state(database)
    with pytest.raises(DataError) as e:
        casedata.load(casedata.Source(database, query=statement, **MAPPING))
    assert str(e.value) == (f"{database}: query: may only read (one SELECT statement); '{cut(statement)}' "
                            "was refused and nothing was changed; check query: in the params file")
    assert _state(database) == before


def test_postgres_reads_a_query_with_joins_and_a_cte(database):
    query = ('WITH teams AS (SELECT DISTINCT "Team" AS team FROM complaints_export) '
             'SELECT e.* FROM complaints_export e JOIN teams t ON t.team = e."Team" ORDER BY e."Reference"')
    log = casedata.load(casedata.Source(database, query=query, **MAPPING))
    assert log.rows_read == 16 and log.cases["case_ref"].is_monotonic_increasing
