"""Every place reportlib reaches past a third-party library's public API, in one module.

Each workaround says what it works around (the upstream issue or the code it replaces), the
versions it was checked on, and what happens without it: a plain fallback that is correct, only
slower. ``tests/test_compat.py`` checks each one against the installed library and fails loudly
when upstream changes (so the workaround is revisited, not silently dropped or broken). Nothing
here is applied at import time: callers ask for each one where it is needed.
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import Iterator

# --- jupyter_client ------------------------------------------------------------------------------------------------


def ready_client_class():
    """The kernel client Papermill runs a notebook with: jupyter_client's, ready as soon as it knows it is.

    Works around: ``KernelClient._async_wait_for_ready`` (jupyter_client 8.6-8.10), which after the kernel_info
    reply and a first IOPub message waits for 0.2 s of silence on IOPub ("Flush IOPub channel"), a fifth of a
    second of every render. A client is ready when the kernel has answered its kernel_info request and IOPub,
    where a cell's output comes, is connected (a ZeroMQ subscriber misses what was published before it joined);
    the request's own status message arriving on IOPub proves the second. Papermill (nbclient) reads only the
    IOPub messages of the cell it runs, so nothing needs draining. Overrides the public ``wait_for_ready``.
    Fallback: jupyter_client's own client (0.2 s slower per run).
    """
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import major_protocol_version

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                asked = self.kernel_info()
                try:
                    reply = await self.get_shell_msg(timeout=1)
                    while reply["parent_header"].get("msg_id") != asked:
                        reply = await self.get_shell_msg(timeout=1)
                    while (await self.get_iopub_msg(timeout=0.2))["parent_header"].get("msg_id") != asked:
                        pass
                except Empty:  # no answer yet, or IOPub not yet connected: ask again
                    if not await self.is_alive():
                        raise RuntimeError("Kernel died before replying to kernel_info") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds") from None
                    continue
                version = int(reply["content"]["protocol_version"].split(".")[0])
                if version != major_protocol_version:  # as jupyter_client does: speak the kernel's protocol
                    self.session.adapt_version = version
                return

    return ReadyClient


def kernel_manager_class():
    """A kernel manager that keeps the officer's terminal clean and remembers the clients it made.

    Works around: ``KernelManager._async_shutdown_kernel`` (jupyter_client 8.x) interrupts the kernel (SIGINT)
    before shutting it down, which ipykernel logs as an error on the terminal; the private
    ``_async_interrupt_kernel`` is skipped while shutting down. Clients (Papermill's among them) are remembered so
    that they can be stopped with the kernel. Fallback: jupyter_client's manager (a KeyboardInterrupt traceback
    printed at the end of each render).
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        client_factory = ready_client_class()

        async def _async_interrupt_kernel(self):
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.__dict__.setdefault("made_clients", []).append(made)
            return made

    return QuietKernelManager


# --- jsonschema ----------------------------------------------------------------------------------------------------


def without_rfc3987_syntax() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax`` in this process.

    Works around: jsonschema (4.23-4.25, which nbformat, Papermill and nbconvert import) loads rfc3987_syntax
    whenever it is installed (JupyterLab's jupyter-events brings it) only to check the "iri" string format, which
    no notebook schema uses; building that package's grammar costs a second of every render. Marking the module
    absent makes jsonschema skip that format checker, as on a machine without the package. Called by
    :mod:`reportlib.notebooks` before it loads nbformat (every front end reads its notebook there first); the
    fallback is to import it (a second slower).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


# --- ctypes (WeasyPrint's library lookup) --------------------------------------------------------------------------


@contextlib.contextmanager
def libraries_from_the_cache() -> Iterator[None]:
    """While the block runs, a library name the system's library cache does not list is not looked for further.

    Works around: Kozea/WeasyPrint#1125. WeasyPrint (65-70) loads seven libraries, asking for each under up to six
    names (Windows', macOS' and Linux's spellings), and on Linux ``ctypes.util.find_library`` answers each name it
    cannot find by running ldconfig, then gcc, then ld: about fifty programs, a fifth of a second, every time
    WeasyPrint is imported. Here ``ldconfig -p`` is listed once and a name it does not hold is answered "not found"
    at once; a name it holds is looked up as ever. A library outside the cache is still found by the file name
    WeasyPrint also tries (``libpango-1.0.so.0``), which dlopen looks for in LD_LIBRARY_PATH itself. Elsewhere than
    Linux, or with no ldconfig, nothing changes (the fallback: the slow lookup).
    """
    import ctypes.util
    import os
    import subprocess

    listing = b""
    if sys.platform.startswith("linux"):
        try:
            listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            pass
    if not listing:
        yield
        return
    find = ctypes.util.find_library

    def find_listed(name: str) -> str | None:
        listed = re.search(rb"\s" + re.escape(b"lib" + os.fsencode(name) + b".") + rb"\S*\s+\(", listing)
        return find(name) if listed else None

    ctypes.util.find_library = find_listed
    try:
        yield
    finally:
        ctypes.util.find_library = find


# --- pandas -------------------------------------------------------------------------------------------------------


def categorical_dtype_of_distinct(categories):
    """A categorical type of ``categories`` (a pandas Index) known to be distinct already.

    Works around: ``pd.CategoricalDtype(categories)`` (pandas 2.2-3.1) hashes every category to check that they
    are distinct; for a million case_refs a reader has just hashed (Arrow's dictionary, factorize's uniques) that
    is most of the time a categorical takes to make. pandas' own constructor for checked categories,
    ``CategoricalDtype._from_fastpath``, skips the check. Fallback, without it: the public constructor (correct,
    slower).
    """
    import pandas as pd

    make = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    return make(categories, False) if make is not None else pd.CategoricalDtype(categories)


# --- matplotlib ---------------------------------------------------------------------------------------------------


def fonts_first(manager, bundled: tuple[str, ...], own) -> None:
    """Register the ``bundled`` font files with matplotlib's font ``manager`` and list them first, then
    matplotlib's own fonts (in folder ``own``), then the machine's: when two fonts match a name equally well,
    matplotlib takes the first listed, so a Liberation Sans or DejaVu Sans installed on the machine (another version,
    other glyphs) is never used and every machine lays charts out alike.

    Works around: matplotlib (3.9-3.11) has no public way to prefer one of two fonts of the same family; its
    ``FontManager.ttflist`` is a plain list (sorted here, stably) and ``findfont``'s answers are cached in the private
    ``_findfont_cached`` (cleared here). Fallback, without them: the bundled fonts registered with the public
    ``addfont`` only; correct on a machine without another Liberation Sans, and tests/test_charts.py shows what
    differs on one with it.
    """
    from pathlib import Path

    for path in bundled:
        manager.addfont(path)

    def rank(entry) -> int:
        if entry.fname in bundled:
            return 0
        return 1 if Path(entry.fname).resolve().parent == own else 2

    listed = getattr(manager, "ttflist", None)
    if isinstance(listed, list):
        listed.sort(key=rank)
    getattr(getattr(manager, "_findfont_cached", None), "cache_clear", lambda: None)()


# --- memory ---------------------------------------------------------------------------------------------------------


def give_back_memory() -> None:
    """Return freed memory to the system now: Arrow's allocator and glibc both keep freed blocks for reuse, and
    a render's peak is its process and its kernel together (a million-row log is read in the one, then held in
    the other).

    Works around: glibc keeping freed heap for reuse; ``malloc_trim`` (glibc's own, through ctypes) hands it back.
    Elsewhere than glibc there is nothing to call, and nothing changes (the fallback: the memory is given back when
    the process ends).
    """
    import ctypes

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


# --- tempfile (WeasyPrint's font folder) ---------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_files_in(folder) -> Iterator[None]:
    """While the block runs, temporary files and folders that code makes with :mod:`tempfile`'s defaults go into
    ``folder`` (a private folder of ours).

    Works around: WeasyPrint (65-70) copies each ``@font-face`` font into ``mkdtemp(prefix="weasyprint-")`` and
    removes it only in ``FontConfiguration.__del__``, which never runs for a configuration kept for the life of the
    program (nor for one ``gc.freeze`` froze): every render left a ``weasyprint-*`` folder in the temporary folder.
    Made inside ours, it goes when ours does. Sets ``tempfile.tempdir`` (public, documented) for the block only;
    without it the fonts still work and the folder is left behind (the fallback).
    """
    import tempfile

    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before


# --- python-docx ---------------------------------------------------------------------------------------------------


def oxml(obj):
    """The lxml element behind a python-docx object (a paragraph, run, table or row), for what its API does not
    reach: paragraph numbering, repeating header rows, ``w:cantSplit``, a picture's alt text (``wp:docPr/@descr``),
    fields and hyperlinks.

    Works around: python-docx (1.1-1.2) has no public accessor for the element; every proxy object keeps it as
    ``_element`` (``Paragraph._p``, ``Run._r``, ``Table._tbl`` and ``_Row._tr`` are the same object). There is no
    slower public route: without it report.docx loses Word numbering, repeating headers and alt text, so
    ``tests/test_compat.py`` fails the moment the attribute goes.
    """
    return obj._element


# --- openpyxl ------------------------------------------------------------------------------------------------------


class SheetReader:
    """The cells of a read-only worksheet that are stored in its file, and its merged ranges.

    Works around: openpyxl (3.1) reads a sheet lazily only in read-only mode, whose ``iter_rows`` pads every row
    out to the sheet's stated width (a stray cell at XFD1048576 makes that 16,384 columns by a million rows) and
    which keeps no merged ranges. openpyxl's own parser of the sheet's XML, ``openpyxl.worksheet._reader.
    WorkSheetParser`` (what ``iter_rows`` uses), yields each stored cell as it comes and collects the
    ``<mergeCells>`` as it passes them; it is fed from the private ``ws._get_source()``, ``ws._shared_strings`` and
    the workbook's ``_date_formats`` and ``_timedelta_formats``.

    Fallback, when those are gone: the workbook opened again in full (not read-only) mode, whose ``iter_rows``
    spans only the cells the sheet holds and whose ``merged_cells`` are public: correct, slower, and all of the
    sheet in memory at once; a stray far cell is still found (it makes the sheet that wide) and refused.
    """

    def __init__(self, ws, path):
        self.ws, self.path = ws, path
        self._source = None
        self._merged: list[str] = []
        try:
            from openpyxl.worksheet._reader import WorkSheetParser

            book = ws.parent
            self._source = ws._get_source()
            self._parser = WorkSheetParser(self._source, ws._shared_strings, data_only=True, epoch=book.epoch,
                                           date_formats=book._date_formats,
                                           timedelta_formats=book._timedelta_formats)
        except (ImportError, AttributeError, TypeError):
            self._parser = None

    def cells(self):
        """Each stored cell as (row, column, value), in the file's order."""
        if self._parser is None:
            yield from self._full_cells()
            return
        for _, cells in self._parser.parse():
            for cell in cells:
                yield cell["row"], cell["column"], cell["value"]
        merged = self._parser.merged_cells
        self._merged = [m.ref for m in merged.mergeCell] if merged else []

    def _full_cells(self):
        import openpyxl

        book = openpyxl.load_workbook(self.path, data_only=True)
        try:
            full = book[self.ws.title]
            self._merged = [str(r) for r in full.merged_cells.ranges]
            for row in full.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        yield cell.row, cell.column, cell.value
        finally:
            book.close()

    def merged(self) -> list[str]:
        """The merged ranges ("A2:A4"), once :meth:`cells` has been read to the end."""
        return self._merged

    def __enter__(self) -> "SheetReader":
        return self

    def __exit__(self, *exc) -> None:
        if self._source is not None:
            self._source.close()
