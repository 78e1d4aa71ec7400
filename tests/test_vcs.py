"""Real exports stay out of git (issue 18, point 11): reportlib's .gitignore, and the warning of a case log git
would commit (reportlib.vcs), tried in a temporary git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import REPO, case, childrens_params, lend_the_warm_kernel, write_case_log, write_params
from reportlib import vcs
from reportlib.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def plain_git(tmp_path, monkeypatch):
    """git as on a fresh machine: no global or system configuration (no global excludes file)."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """A work tree ignoring exports/ and *.db, keeping kept.csv on purpose; committed.csv is committed."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / ".gitignore").write_text("exports/\n*.db\n*.csv\n!kept.csv\n!committed.csv\n")
    (work / "exports").mkdir()
    for name in ("exports/cases.csv", "cases.db", "kept.csv", "committed.csv", "loose.xlsx"):
        (work / name).write_text("case_ref\n")
    git(work, "add", ".gitignore", "committed.csv")
    git(work, "commit", "-q", "-m", "fixture")
    return work


def test_an_ignored_file_kept_file_or_url_gives_no_warning(repo, tmp_path):
    assert vcs.warning(repo / "exports" / "cases.csv") is None  # ignored folder
    assert vcs.warning(repo / "cases.db") is None  # ignored pattern
    assert vcs.warning(repo / "kept.csv") is None  # named with ! on purpose, not committed
    assert vcs.warning(None) is None  # a database: no file
    assert vcs.warning(repo / "absent.csv") is None  # the reader says it is missing
    outside = tmp_path / "outside.csv"
    outside.write_text("case_ref\n")
    assert vcs.warning(outside) is None  # not in a work tree


def test_a_file_git_would_commit_is_named(repo):
    assert vcs.warning(repo / "loose.xlsx") == (
        f"{repo}/loose.xlsx: the case log lies inside the git work tree {repo} and git does not ignore it, so 'git "
        f"add' would commit its personal data; move it out of {repo}, or add it to {repo}/.gitignore")


def test_a_committed_file_is_named_even_when_a_pattern_would_ignore_it(repo):
    (repo / ".gitignore").write_text("*.csv\n")  # committed.csv is tracked: ignoring it now does not remove it
    assert vcs.warning(repo / "committed.csv") == (
        f"{repo}/committed.csv: the case log is committed to the git repository at {repo}: its personal data is in "
        "the history; take it out (git rm --cached, then ignore it) and keep exports outside the repository")


def test_a_link_is_judged_by_the_file_it_points_to(repo, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(repo / "loose.xlsx")
    assert vcs.warning(link).startswith(f"{link}: the case log lies inside the git work tree {repo} ")


def test_no_git_no_warning(repo, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert vcs.warning(repo / "loose.xlsx") is None


def test_validate_warns_on_stderr_and_keeps_its_exit_status(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    (repo / ".gitignore").write_text("exports/\n")
    rows = [case("A1", "2020-09-01", 5), case("A2", "2019-09-02", 5)]
    results = {}
    for name in ("exports/ok.csv", "loose.csv"):
        data = write_case_log(repo / name, rows)
        params = write_params(tmp_path / "meeting.yaml", childrens_params(data))
        results[name] = CliRunner().invoke(main, ["validate", str(params)], catch_exceptions=False)
    ignored, loose = results["exports/ok.csv"], results["loose.csv"]
    assert ignored.exit_code == loose.exit_code == 0
    assert ignored.stderr == ""
    assert loose.stderr == (
        f"warning: {repo}/loose.csv: the case log lies inside the git work tree {repo} and git does not ignore it, "
        f"so 'git add' would commit its personal data; move it out of {repo}, or add it to {repo}/.gitignore\n")
    assert loose.stdout == ignored.stdout.replace("exports/ok.csv", "loose.csv")


@pytest.mark.slow
def test_render_warns_too_and_still_renders(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    lend_the_warm_kernel(monkeypatch)
    (repo / ".gitignore").write_text("exports/\n")
    data = write_case_log(repo / "loose.csv", [case("A1", "2020-09-01", 5), case("A2", "2019-09-02", 5)])
    params = write_params(tmp_path / "meeting.yaml", childrens_params(data))
    result = CliRunner().invoke(main, ["render", str(params), "--out", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"warning: {repo}/loose.csv: the case log lies inside the git work tree {repo} and git does not ignore it, "
        f"so 'git add' would commit its personal data; move it out of {repo}, or add it to {repo}/.gitignore")
    assert (tmp_path / "out" / "meeting" / "report.html").is_file()


# --- reportlib's own .gitignore ----------------------------------------------------------------------------------

in_a_checkout = pytest.mark.skipif(not (REPO / ".git").exists(), reason="not a git checkout")


@in_a_checkout
def test_every_committed_file_stays_committable():
    assert git(REPO, "ls-files", "-ci", "--exclude-standard") == ""


@in_a_checkout
@pytest.mark.parametrize("path", ["exports/complaints-2026-06-30.xlsx", "exports/notes.txt", "complaints.db",
                                  "data/cases.sqlite", "x/cases.sqlite3", "cases.csv", "params/cases.xlsx",
                                  "tests/cases.xlsm", "notebooks/old.xls", "data/extract.tsv", "data/anything"])
def test_real_exports_are_ignored(path):
    assert git(REPO, "check-ignore", "--no-index", path).strip() == path


@in_a_checkout
def test_the_sample_and_the_fixtures_are_kept():
    kept = ["data/sample_case_log.csv", "data/README.md", "tests/bad_input/good.csv", "tests/bad_input/old_excel.xls",
            "tests/corpus/bad_rows.csv", "tests/corpus/new_fixture.xlsx"]
    out = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", *kept], capture_output=True, text=True)
    assert out.returncode == 1 and out.stdout == ""  # none ignored
    assert all(vcs.warning(REPO / p) is None for p in kept[:5])  # committed on purpose: no warning
