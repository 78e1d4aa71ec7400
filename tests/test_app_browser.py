"""``reportlib app`` end to end: the real command in a project of our own, driven by Playwright in Debian's Chromium.

- a paper made on the page equals ``reportlib render`` of the params file it saved, byte for byte (report.html
  and figures.json), and an uploaded case log is kept in exports/ and named by that params file;
- "Check the data" shows what ``reportlib validate`` prints, and no other column of the case log;
- a bad upload shows its error beside the case log and the form keeps its values; nothing is kept;
- two papers made one after the other are both on the home page; a second paper asked for while one is being made
  is refused, saying so, with nothing typed lost;
- only its own Host is answered, every POST needs the page's token, uploads are limited in size.

Accessibility, the keyboard, stopping and the screenshots of docs/officers.md: tests/test_app_access.py.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.error
from pathlib import Path

import nbformat
import pytest
import yaml

from apppage import CHILDRENS, LIMIT_MB, app, axe, make_paper, open_form, page, project  # noqa: F401 - fixtures
from factory import REPO, cli_process, warm_render
from reportlib import pipeline

pytestmark = pytest.mark.slow


def render_again(project: Path, params_file: str, out: Path) -> Path:
    """The report of a params file the page saved, as a render makes it (its page and figures)."""
    return warm_render(project / params_file, out=out, formats=["html"]).out


# --- making papers ----------------------------------------------------------------------------------------------

def test_a_paper_made_on_the_page_is_the_one_render_makes_from_its_params_file(app, page, tmp_path):
    """It equals ``reportlib render`` of the params file it saved; a second paper asked for meanwhile, in another tab,
    is refused, saying so, with nothing typed lost."""
    open_form(page, app)
    assert page.get_by_label("Meeting date").input_value() == "14/07/2021"  # one meeting so far: as it was
    assert page.get_by_label("Export already in the project").input_value() == "data/sample_case_log.csv"
    other = page.context.new_page()
    open_form(other, app, "annual_report")
    other.locator("#f-title").fill("Kept while refused")  # the report's title (an Ombudsman report has one too)
    polled, seen, done = [], [], threading.Event()
    page.on("request", lambda r: polled.append(r.url) if r.url.endswith("/progress") else None)

    def watch():  # what the page's script reads while the paper is made
        while not done.is_set():
            seen.append(json.loads(app.get("/progress")))
            time.sleep(0.05)
    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    try:
        name = make_paper(page, meanwhile=lambda: _refused_while_one_is_made(app, other))
    finally:
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
    assert polled, "the page's script asks how far the paper has got"
    steps = {(p["step"], p["steps"]) for p in seen if p["state"] in ("running", "writing") and p.get("steps")}
    code_cells = sum(c.cell_type == "code" and bool(c.source.strip())
                     for c in nbformat.read(app.project / "notebooks" / f"{CHILDRENS}.ipynb", 4).cells)
    assert max(steps) == (code_cells + 1, code_cells + 1)  # each code cell and the parameters cell Papermill adds
    assert seen[-1]["state"] == "done" and seen[-1]["paper"] == "2021-07-14-childrens_response_times"
    assert name == "2021-07-14-childrens_response_times"
    panel = page.locator(".panel").inner_text()
    assert "The paper is made" in panel
    main = page.locator("main").inner_text()
    assert f"params/{name}.yaml" in main and f"reportlib render params/{name}.yaml" in main
    params = yaml.safe_load((app.project / "params" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert params["data"] == "data/sample_case_log.csv" and params["notebook"] == CHILDRENS
    again = render_again(app.project, f"params/{name}.yaml", tmp_path / "again")
    made = app.project / "outputs" / name
    for file in ("report.html", "figures.json"):
        assert (made / file).read_bytes() == (again / file).read_bytes(), file
    for link in page.locator("ul.files a").all():  # every file made is linked, and served as made
        file = link.inner_text()
        assert app.get(link.get_attribute("href")) == (made / file).read_bytes()
    print(f"Make the paper (sample, {CHILDRENS}): {seconds:.1f} s from the click to the page of the paper")


def test_an_uploaded_case_log_is_kept_and_two_papers_are_both_on_the_home_page(app, page, tmp_path):
    open_form(page, app, "complaints_performance")
    page.get_by_label("Meeting date").fill("20/10/2021")
    page.get_by_label("Case log", exact=True).set_input_files(str(REPO / "data" / "sample_case_log.csv"))
    first = make_paper(page)
    assert first == "2021-10-20-complaints_performance"
    params = yaml.safe_load((app.project / "params" / f"{first}.yaml").read_text(encoding="utf-8"))
    assert params["data"] == "exports/sample_case_log.csv"
    kept = app.project / "exports" / "sample_case_log.csv"
    assert kept.read_bytes() == (REPO / "data" / "sample_case_log.csv").read_bytes()
    for path in (f"/papers/{first}/sample_case_log.csv", "/exports/sample_case_log.csv"):  # never served back
        with pytest.raises(urllib.error.HTTPError) as refused:
            app.get(path)
        assert refused.value.code == 404
    again = render_again(app.project, f"params/{first}.yaml", tmp_path / "again")
    assert (again / "figures.json").read_bytes() == (app.project / "outputs" / first / "figures.json").read_bytes()

    open_form(page, app, "complaints_performance")  # the next meeting starts from this one, dates moved on
    assert page.get_by_label("Meeting date").input_value() == "20/01/2022"
    assert "with meeting_date moved on by one meeting cycle" in page.locator("main").inner_text()
    second = make_paper(page)
    assert second == "2022-01-20-complaints_performance"
    page.goto(app.url)
    listed = page.locator("ul.papers > li h3").all_inner_texts()
    assert listed[:2] == ["Performance Monitoring of Comments, Compliments and Complaints"] * 2
    links = [a.get_attribute("href") for a in page.locator("ul.papers a").all()]
    assert f"/papers/{first}/report.html" in links and f"/papers/{second}/report.pdf" in links


def test_check_the_data_shows_what_validate_shows_and_no_other_column(app, page, tmp_path):
    open_form(page, app)
    page.get_by_label("Export already in the project").select_option("exports/june-export.csv")
    page.get_by_role("button", name="Check the data").click()
    found = page.locator("#checked").inner_text()
    params = app.project / "params" / "check.yaml"
    raw = yaml.safe_load((app.project / "params" / "sample_childrens_response_times.yaml").read_text())
    params.write_text(yaml.safe_dump({**raw, "data": "exports/june-export.csv"}), encoding="utf-8")
    try:
        validate = cli_process("validate", "params/check.yaml", cwd=app.project)
    finally:
        params.unlink()
    lines = validate.stdout.splitlines()
    assert lines[0] == "exports/june-export.csv: 3 rows read, 1 used, 2 excluded"
    assert lines[0] in found
    for line in lines[1:]:
        if line.startswith("row "):
            row, column, rest = re.match(r"row (\d+): (\w+) (.*)", line).groups()
            assert f"{row}\t{column}\t" in found, line
        else:
            assert line.strip() in found, line
    assert "PERSONAL" not in page.content()
    assert page.get_by_label("Meeting date").input_value() == "14/07/2021"  # the form is kept as it was
    error = " ".join(page.locator("#f-baseline_year-error").inner_text().split())  # one case left, not in 2019/20
    assert error.startswith("Error: key 'baseline_year': ")
    assert validate.stderr.strip() == "error: params/check.yaml: " + error.removeprefix("Error: ")


def test_a_bad_upload_shows_its_error_and_the_form_keeps_its_values(app, page, tmp_path):
    bad = tmp_path / "June export.csv"
    bad.write_text("name,notes\nMs Example,her complaint\n", encoding="utf-8")
    params_before = sorted(p.name for p in (app.project / "params").iterdir())
    exports_before = sorted(p.name for p in (app.project / "exports").iterdir())
    open_form(page, app)
    page.get_by_label("Title").fill("An edited title")
    page.get_by_label("Target working days").fill("15")
    page.get_by_label("Case log", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Make the paper").click()
    page.wait_for_selector("#error-summary")
    error = " ".join(page.locator("#f-upload-error").inner_text().split())
    expected = _message_for(bad, app.project)
    assert error == f"Error: {expected}" and expected.startswith("June export.csv: ")
    assert page.locator("#error-summary").inner_text().count(expected) == 1
    assert page.get_by_label("Title").input_value() == "An edited title"
    assert page.get_by_label("Target working days").input_value() == "15"
    assert page.get_by_label("Case log", exact=True).get_attribute("aria-invalid") == "true"
    assert "Ms Example" not in page.content() and "her complaint" not in page.content()
    assert sorted(p.name for p in (app.project / "params").iterdir()) == params_before  # nothing kept
    assert sorted(p.name for p in (app.project / "exports").iterdir()) == exports_before
    assert axe(page) == []


def _message_for(bad: Path, project: Path) -> str:
    """What the params check says of ``bad`` as a case log, naming it as the officer does."""
    raw = yaml.safe_load((project / "params" / "sample_childrens_response_times.yaml").read_text())
    params = bad.parent / "p.yaml"
    params.write_text(yaml.safe_dump({**raw, "data": str(bad)}), encoding="utf-8")
    with pytest.raises(Exception) as e:
        pipeline.check(params)
    return str(e.value).replace(str(bad), bad.name)


def _refused_while_one_is_made(app, other) -> None:
    """Once the paper is being made, "Make the paper" on ``other`` is refused, saying so, the form as typed."""
    deadline = time.monotonic() + 60
    while json.loads(app.get("/progress"))["state"] not in ("running", "writing"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with other.expect_response(lambda r: r.request.method == "POST") as answer:
        other.get_by_role("button", name="Make the paper").click()
    assert answer.value.status == 409
    summary = other.locator("#error-summary").inner_text()
    assert "is being made now: wait until it is made, then press “Make the paper” again" in summary
    assert other.locator("#f-title").input_value() == "Kept while refused"


# --- safe by construction ---------------------------------------------------------------------------------------

def _ask(app, method: str, path: str, host: str, body: bytes = b"", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": host, "Origin": "http://rebound.example",
                                                       **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def _form(*parts, boundary="b0undary") -> tuple[bytes, dict]:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _token(app) -> str:
    return re.search(r'name="_token" value="([^"]+)"', app.get(f"/new?report={CHILDRENS}").decode()).group(1)


@pytest.mark.parametrize("path", ["/", f"/new?report={CHILDRENS}", "/progress", "/static/app.css"])
def test_it_answers_only_its_own_host(app, path):
    for host in (f"rebound.example:{app.port}", "rebound.example", f"127.0.0.1:{app.port + 1}", ""):
        status, body, headers = _ask(app, "GET", path, host)
        assert (status, body) == (403, b""), host
        assert not any(h.lower().startswith("access-control") for h in headers)
    for host in (f"127.0.0.1:{app.port}", f"localhost:{app.port}"):
        status, body, headers = _ask(app, "GET", path, host)
        assert status == 200 and body, host
        assert not any(h.lower().startswith("access-control") for h in headers)
    assert _ask(app, "POST", "/new", f"rebound.example:{app.port}")[:2] == (403, b"")


def test_every_post_needs_the_pages_token(app):
    host = f"127.0.0.1:{app.port}"
    token = _token(app).encode()
    cases = [_form((b"report", CHILDRENS.encode(), None)),
             _form(("_token", b"not-the-token", None), ("report", CHILDRENS.encode(), None)),
             _form(("upload", b"case_ref\nC1\n", "log.csv"), ("_token", token, None))]
    for body, headers in cases:
        status, answer, _ = _ask(app, "POST", "/new", host, body, headers)
        assert status == 403 and b"This form has expired" in answer
    body, headers = _form(("_token", token, None), ("report", CHILDRENS.encode(), None),
                          ("action", b"add:contact", None))
    status, answer, _ = _ask(app, "POST", "/new", host, body, headers)
    assert status == 200 and b'name="contact.0.name"' in answer
    private = list(app.tmp.glob("reportlib-app-*/uploads/*"))
    assert private == [], private  # a refused upload was never written


def test_an_upload_over_the_limit_is_refused_and_nothing_kept(app, page, tmp_path):
    large = tmp_path / "large.csv"
    large.write_bytes((REPO / "data" / "sample_case_log.csv").read_bytes() * 3)  # 4.1 MB
    exports_before = sorted(p.name for p in (app.project / "exports").iterdir())
    open_form(page, app)
    page.get_by_label("Title").fill("Still here")
    page.get_by_label("Case log", exact=True).set_input_files(str(large))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Check the data").click()
    assert answer.value.status == 413
    assert " ".join(page.locator("#f-upload-error").inner_text().split()) == (
        f"Error: the case log is larger than {LIMIT_MB} MB, the most this page takes, and was not kept; export a "
        "shorter period, or make the paper with 'reportlib render'")
    assert page.get_by_label("Title").input_value() == "Still here"
    assert sorted(p.name for p in (app.project / "exports").iterdir()) == exports_before
    assert list(app.tmp.glob("reportlib-app-*/uploads/*")) == []
