"""Every workaround in reportlib.compat, checked against the installed libraries.

Each reaches past a library's public API; these tests fail loudly when the library changes, so the workaround
is looked at again (dropped if upstream fixed it, mended if upstream moved) rather than silently breaking. The
versions each was checked on are in its docstring.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from reportlib import compat
from factory import REPO


# --- jupyter_client ------------------------------------------------------------------------------------------

def test_jupyter_clients_own_client_still_waits_for_silence_on_iopub():
    """The workaround exists because jupyter_client's wait_for_ready drains IOPub for 0.2 s of silence."""
    from jupyter_client.client import KernelClient

    source = inspect.getsource(KernelClient._async_wait_for_ready)
    assert "Flush IOPub channel" in source and "timeout=0.2" in source, \
        "jupyter_client's wait_for_ready changed: look again at compat.ready_client_class"


def test_jupyter_clients_shutdown_still_interrupts_first():
    """The quiet manager skips the private _async_interrupt_kernel that shutdown calls first."""
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    assert hasattr(AsyncKernelManager, "_async_interrupt_kernel")
    assert "_async_interrupt_kernel" in inspect.getsource(KernelManager._async_shutdown_kernel), \
        "jupyter_client's shutdown no longer interrupts first: compat.kernel_manager_class may go"


def test_papermills_client_is_ready_with_iopub_connected_as_soon_as_the_kernel_answers(tmp_path):
    """The client Papermill runs cells with waits for the kernel's answer and for IOPub to be connected (not for
    0.2 s of silence): the first thing the kernel prints after it is ready reaches the client."""
    from jupyter_core.utils import run_sync

    manager = compat.kernel_manager_class()(kernel_name="python3")
    run_sync(manager.start_kernel)(cwd=str(tmp_path))
    client = manager.client()
    try:
        client.start_channels()
        assert type(client).__name__ == "ReadyClient"
        run_sync(client.wait_for_ready)(timeout=60)
        asked = client.execute("print('first words')")
        texts = []
        while True:
            msg = run_sync(client.get_iopub_msg)(timeout=30)
            if msg["parent_header"].get("msg_id") != asked:
                continue
            if msg["msg_type"] == "stream":
                texts.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        assert "".join(texts) == "first words\n"
    finally:
        client.stop_channels()
        run_sync(manager.shutdown_kernel)(now=True)


# --- jsonschema ----------------------------------------------------------------------------------------------

def test_jsonschema_still_loads_rfc3987_syntax_for_the_iri_format():
    import jsonschema._format

    assert "rfc3987_syntax" in inspect.getsource(jsonschema._format), \
        "jsonschema no longer loads rfc3987_syntax: compat.without_rfc3987_syntax may go"


def test_without_rfc3987_syntax_a_notebook_still_validates():
    """The fallback and the workaround give the same answer: nbformat validates a notebook either way."""
    import subprocess
    import sys

    code = ("from reportlib import compat; compat.without_rfc3987_syntax(); import nbformat, sys; "
            "nbformat.validate(nbformat.v4.new_notebook()); print('rfc3987_syntax' in sys.modules and "
            "sys.modules['rfc3987_syntax'] is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"


def test_a_front_end_loads_no_renderer_before_the_workaround_is_in_place():
    """The workaround works only if nbformat is not loaded yet when :func:`reportlib.pipeline.prepare` puts it in
    place: the modules every front end imports (the command line, the pipeline, the output folder) load no renderer
    of their own, and a render's process never loads rfc3987_syntax."""
    import subprocess
    import sys

    code = ("import sys, reportlib.cli, reportlib.pipeline, reportlib.outputs, reportlib.preview, reportlib.app.web; "
            "print(sorted(m for m in ('nbformat', 'nbconvert', 'jsonschema', 'weasyprint', 'matplotlib', "
            "'rfc3987_syntax') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_no_command_loads_rfc3987_syntax(tmp_path):
    """Checking a params file, scaffolding a report, refusing a name in use and describing a report all read
    notebooks, each in a process of its own, none with the grammar the workaround keeps out."""
    import subprocess
    import sys

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params").mkdir()
    sample = str(REPO / "params" / "sample_childrens_response_times.yaml")
    for args in (["new", "housing_complaints"], ["new", "housing_complaints"], ["describe", "housing_complaints"],
                 ["validate", sample]):
        code = ("import sys, types\nfrom reportlib.cli import main\n"
                f"try:\n    main({args!r}, standalone_mode=False)\nexcept BaseException:\n    pass\n"
                "print(isinstance(sys.modules.get('rfc3987_syntax'), types.ModuleType))")
        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.stdout.strip().splitlines()[-1] == "False", (args, out.stderr)
    assert (tmp_path / "notebooks" / "housing_complaints.ipynb").is_file()


# --- WeasyPrint's library lookup -----------------------------------------------------------------------------

def test_weasyprint_still_finds_its_libraries_through_find_library():
    """cffi's dlopen of a bare name asks ctypes.util.find_library, which the workaround answers from the cache."""
    import cffi.api

    assert "ctypes.util.find_library" in inspect.getsource(cffi.api), \
        "cffi no longer uses ctypes.util.find_library: compat.libraries_from_the_cache may go"


@pytest.mark.skipif(not Path("/sbin/ldconfig").exists(), reason="Linux with glibc's ldconfig only")
def test_weasyprints_libraries_are_looked_up_in_one_listing_of_the_library_cache(monkeypatch):
    """WeasyPrint asks for each library under Windows' and macOS' names too; on Linux each miss ran ldconfig, gcc
    and ld. Within compat.libraries_from_the_cache a name the cache does not list costs no program at all."""
    import ctypes.util
    import subprocess

    ran = []

    class Counted(subprocess.Popen):
        def __init__(self, args, *a, **k):
            ran.append(args[0])
            super().__init__(args, *a, **k)
    monkeypatch.setattr(subprocess, "Popen", Counted)
    original = ctypes.util.find_library
    with compat.libraries_from_the_cache():
        assert ran == ["/sbin/ldconfig"]  # listed once
        assert ctypes.util.find_library("libgobject-2.0-0") is None  # Windows' name
        assert ctypes.util.find_library("gobject-2.0-0") is None  # MSYS2's
        assert ran == ["/sbin/ldconfig"]  # no program for a miss
        assert ctypes.util.find_library("gobject-2.0") == "libgobject-2.0.so.0"  # Linux's: looked up as ever
    assert ctypes.util.find_library is original


# --- python-docx -----------------------------------------------------------------------------------------------

def test_python_docx_objects_still_keep_their_element():
    import docx
    from docx.oxml.text.paragraph import CT_P
    from docx.oxml.text.run import CT_R

    from reportlib.compat import oxml

    word = docx.Document()
    paragraph = word.add_paragraph("x")
    table = word.add_table(rows=1, cols=1)
    assert isinstance(oxml(paragraph), CT_P) and isinstance(oxml(paragraph.runs[0]), CT_R)
    assert oxml(table).tag.endswith("}tbl") and oxml(table.rows[0]).tag.endswith("}tr")


# --- openpyxl ----------------------------------------------------------------------------------------------------

def _workbook(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    ws.append(["case_ref", "service"])
    for i in range(1, 5):
        ws.append([f"A{i}", "Housing" if i == 1 else None])
    ws.merge_cells("B2:B4")
    ws["F30"] = "stray"
    book.save(path)
    return path


def test_openpyxl_still_parses_a_read_only_sheet_with_its_own_parser(tmp_path):
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser  # noqa: F401 - the workaround's parser

    from reportlib.compat import SheetReader

    path = _workbook(tmp_path / "cases.xlsx")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with SheetReader(book["Cases"], path) as sheet:
            assert sheet._parser is not None, "openpyxl's parser or its inputs moved: look again at compat.SheetReader"
            cells = list(sheet.cells())
            merged = sheet.merged()
    finally:
        book.close()
    assert (30, 6, "stray") in cells and (2, 2, "Housing") in cells and merged == ["B2:B4"]


def test_without_openpyxls_parser_the_full_workbook_gives_the_same_cells(tmp_path, monkeypatch):
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from reportlib.compat import SheetReader

    path = _workbook(tmp_path / "cases.xlsx")
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        with SheetReader(book["Cases"], path) as sheet:
            fast = sorted(sheet.cells()), sheet.merged()
        monkeypatch.delattr(ReadOnlyWorksheet, "_get_source")  # as if openpyxl had moved it
        with SheetReader(book["Cases"], path) as sheet:
            assert sheet._parser is None
            slow = sorted(sheet.cells()), sheet.merged()
    finally:
        book.close()
    assert slow == fast


def test_give_back_memory_finds_glibcs_malloc_trim_or_does_nothing():
    import ctypes

    from reportlib.compat import give_back_memory

    give_back_memory()
    try:
        assert ctypes.CDLL(None).malloc_trim(0) in (0, 1)
    except (OSError, AttributeError):
        pytest.skip("not glibc: nothing to give back by hand")


# --- matplotlib --------------------------------------------------------------------------------------------------

def test_matplotlib_still_keeps_a_font_list_and_a_findfont_cache():
    from matplotlib import font_manager

    assert isinstance(font_manager.fontManager.ttflist, list)
    assert hasattr(font_manager.fontManager._findfont_cached, "cache_clear"), \
        "matplotlib's findfont cache moved: look again at compat.fonts_first"


def test_fonts_first_puts_the_bundled_fonts_ahead_of_a_namesake():
    from pathlib import Path

    from matplotlib import font_manager

    from reportlib.charts import pyplot
    from reportlib.charts.house import _BUNDLED

    pyplot()
    listed = [e.fname for e in font_manager.fontManager.ttflist]
    assert set(listed[:len(_BUNDLED)]) == set(_BUNDLED)
    found = font_manager.findfont(font_manager.FontProperties(family="Liberation Sans"), fallback_to_default=False)
    assert Path(found) == Path(_BUNDLED[0])


# --- pandas ------------------------------------------------------------------------------------------------------

def test_pandas_still_has_a_constructor_for_checked_categories():
    import pandas as pd

    assert hasattr(pd.CategoricalDtype, "_from_fastpath"), \
        "pandas' CategoricalDtype._from_fastpath moved: look again at compat.categorical_dtype_of_distinct"


def test_checked_categories_make_the_same_type_as_the_public_constructor(monkeypatch):
    import pandas as pd

    from reportlib.compat import categorical_dtype_of_distinct

    categories = pd.Index(["A1", "B2", "C3"], dtype=object)
    fast = categorical_dtype_of_distinct(categories)
    monkeypatch.delattr(pd.CategoricalDtype, "_from_fastpath")
    assert categorical_dtype_of_distinct(categories) == fast == pd.CategoricalDtype(categories)


# --- WeasyPrint's font folder ------------------------------------------------------------------------------------

def test_weasyprint_still_copies_fonts_into_a_temporary_folder_of_its_own():
    import warnings

    with warnings.catch_warnings():  # "No fonts configured in FontConfig": the suite's machine has none (as pdf.fonts)
        warnings.simplefilter("ignore", UserWarning)
        import weasyprint.text.fonts as fonts

    source = inspect.getsource(fonts.FontConfiguration)
    assert "mkdtemp(prefix='weasyprint-')" in source.replace('"', "'"), \
        "WeasyPrint's font folder changed: look again at compat.temporary_files_in"


def test_a_render_leaves_no_weasyprint_folder(tmp_path):
    import os
    import subprocess
    import sys

    code = ("from reportlib.formats.pdf import to_pdf; to_pdf('<p>x</p>'); import gc; gc.freeze()")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "TMPDIR": str(tmp_path)}, check=True,
                   timeout=120)
    assert list(tmp_path.iterdir()) == []
