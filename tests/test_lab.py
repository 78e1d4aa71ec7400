"""``./dev lab``: JupyterLab on the project, with the jupytext pairing working (the .md opens as the notebook, a save
writes both files, without outputs), the project's kernel, and the sample data.

The test runs the real ``dev lab`` task on a copy of the project (its own notebooks/, the same .venv) and talks to
the server through its REST API, then stops it."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import jupytext
import nbformat
import pytest

from factory import REPO
from reportlib import notebooks

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("jupyterlab") is None,
                       reason="JupyterLab is not installed: ./dev setup installs it (the 'lab' extra)"),
    pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh for ./dev"),
]

NOTEBOOK = "notebooks/childrens_response_times"


def _setup_is_current() -> bool:
    """``./dev lab`` runs ``./dev setup`` first: only when the environment is already current is that a no-op (else
    it would reinstall, into the copy)."""
    stamp = REPO / ".venv" / ".installed"
    return stamp.is_file() and all(stamp.stat().st_mtime_ns >= (REPO / f).stat().st_mtime_ns
                                   for f in ("pyproject.toml", "requirements.lock"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running ``./dev lab`` and its REST API."""

    def __init__(self, root: Path, port: int, token: str, proc: subprocess.Popen, runtime: Path):
        self.root, self.port, self.token, self.proc, self.runtime = root, port, token, proc, runtime

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
        return json.loads(text) if text else {}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not _setup_is_current():
        pytest.skip("./dev setup is not current (pyproject.toml or requirements.lock is newer than .venv/.installed): "
                    "run ./dev setup first")
    root = tmp_path_factory.mktemp("lab-project")
    for name in ("dev", "pyproject.toml", "requirements.lock"):
        shutil.copy2(REPO / name, root / name)  # mtimes kept: setup sees the environment as current
    (root / ".venv").symlink_to(REPO / ".venv")
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(REPO / "params", root / "params")  # a notebook run on its own renders its sample meeting
    (root / "data").mkdir()
    shutil.copy2(REPO / "data" / "sample_case_log.csv", root / "data")
    port, token = _free_port(), secrets.token_hex(16)
    jupyter = root / ".jupyter-test"  # the user's own Jupyter settings and runtime files stay out of it
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"), "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(jupyter / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(jupyter / "ws")}
    log = (root / "lab.log").open("w")
    proc = subprocess.Popen(["sh", str(root / "dev"), "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.port_retries=0", f"--ServerApp.token={token}"],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(root, port, token, proc, jupyter / "runtime")
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                server.call("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"./dev lab did not start:\n{(root / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server (exec'd by dev in its own session) and its kernels
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def _cells(nb) -> list[tuple]:
    return [(c["cell_type"], c["source"].strip(), sorted(c["metadata"].get("tags", []))) for c in nb["cells"]]


def test_the_md_opens_as_the_notebook(lab):
    model = lab.call("GET", f"/api/contents/{NOTEBOOK}.md?content=1")
    assert model["type"] == "notebook" and model["format"] == "json"
    assert _cells(model["content"]) == _cells(jupytext.read(lab.root / f"{NOTEBOOK}.md"))
    ipynb = lab.call("GET", f"/api/contents/{NOTEBOOK}.ipynb?content=1")
    assert ipynb["type"] == "notebook"
    assert _cells(ipynb["content"]) == _cells(model["content"])


def test_double_click_opens_a_md_as_a_notebook(lab):
    settings = lab.call("GET", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"


def test_a_save_writes_both_files_without_outputs(lab):
    model = lab.call("GET", f"/api/contents/{NOTEBOOK}.md?content=1")
    nb = model["content"]
    background = next(i for i, c in enumerate(nb["cells"])
                      if c["cell_type"] == "markdown" and "## Background" in c["source"])
    nb["cells"][background]["source"] += "\n\nA sentence written in JupyterLab."
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "run in the lab\n"}]
    code["execution_count"] = 3
    lab.call("PUT", f"/api/contents/{NOTEBOOK}.md", {"type": "notebook", "format": "json", "content": nb})

    md, ipynb = lab.root / f"{NOTEBOOK}.md", lab.root / f"{NOTEBOOK}.ipynb"
    assert "A sentence written in JupyterLab." in md.read_text()
    saved = nbformat.read(ipynb, as_version=4)
    assert any("A sentence written in JupyterLab." in c.source for c in saved.cells)
    assert all(not c.outputs and c.execution_count is None for c in saved.cells if c.cell_type == "code")
    # the rules of tests/test_notebooks.py still hold, and ./dev sync finds nothing to do
    assert _cells(jupytext.read(md)) == _cells(saved)
    assert notebooks.sync(md) == []


def test_a_new_notebook_in_notebooks_is_paired(lab):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Scratch")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    lab.call("PUT", "/api/contents/notebooks/scratch.ipynb", {"type": "notebook", "format": "json",
                                                                 "content": json.loads(json.dumps(nb))})
    assert (lab.root / "notebooks" / "scratch.md").is_file()
    assert "format_name: myst" in (lab.root / "notebooks" / "scratch.md").read_text()


def test_the_kernel_is_the_projects_and_reads_the_sample_data(lab):
    from jupyter_client import BlockingKernelClient

    session = lab.call("POST", "/api/sessions", {"path": f"{NOTEBOOK}.md", "type": "notebook", "name": "",
                                                 "kernel": {"name": "python3"}})
    try:
        kernel = session["kernel"]["id"]
        connection = lab.runtime / f"kernel-{kernel}.json"
        deadline = time.monotonic() + 30
        while not connection.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        client = BlockingKernelClient()
        client.load_connection_file(str(connection))
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            # what an analyst runs first: the parameters cell, then the setup cell
            cells = [c.source for c in jupytext.read(lab.root / f"{NOTEBOOK}.md").cells if c.cell_type == "code"]
            code = cells[0] + "\n" + cells[1] + "\nimport os, sys\n" \
                "print(repr((sys.prefix, os.getcwd(), rl.__file__, report.log.rows_read)))"
            printed = []
            reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: printed.append(msg))
            assert reply["content"]["status"] == "ok", reply["content"]
            text = "".join(m["content"].get("text", "") for m in printed if m["msg_type"] == "stream")
            prefix, cwd, module, rows = ast.literal_eval(text.strip())
        finally:
            client.stop_channels()
    finally:
        lab.call("DELETE", f"/api/sessions/{session['id']}")
    assert Path(prefix).resolve() == (REPO / ".venv").resolve()
    assert Path(cwd).resolve() == (lab.root / "notebooks").resolve()
    assert Path(module).resolve().is_relative_to(REPO.resolve())
    assert rows > 1000  # data/sample_case_log.csv


def test_listens_on_this_machine_only(lab):
    psutil = pytest.importorskip("psutil")
    listening = {c.laddr[0] for c in psutil.Process(lab.proc.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN}
    assert listening == {"127.0.0.1"}
