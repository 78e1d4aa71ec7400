"""What the officer's page does, without the web: the reports, the papers, a draft of the next paper, checking its
data and making it. The HTTP layer (:mod:`reportlib.app.web`) only turns requests into these calls and their
results into pages.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .. import params as params_mod, private
from ..describe import describe
from ..reports import Reports
from ..errors import DataError, ParamsError, ReportError, shown
from . import form as form_mod, meetings, papers
from .making import Busy, Maker, Making
from .uploads import Upload, new_id

#: How many bad rows "Check the data" lists on the page (all of them are in data_quality.csv of the paper).
ROWS_SHOWN = 200
#: The case log's box on the form: the page's own step, the params file's ``data``.
DATA = "data"


@dataclass
class Report:
    """A report that can be made: its name and what it is."""

    name: str
    summary: str
    error: str | None = None  # its declaration cannot be read (the analyst's notebook says why)


@dataclass
class Checked:
    """What "Check the data" found: what ``reportlib validate`` prints."""

    summary: str
    counts: list[tuple[str, str, str, int]]
    notes: list[str]
    rows: list[dict]
    more: int
    excluded: int
    problem: str | None = None  # a filter or period that selects nothing (shown after the rows, as validate does)


@dataclass
class Draft:
    """The form of the next paper of a report, as shown and as sent back."""

    report: str
    controls: list[form_mod.Control]
    data: str = ""  # the case log chosen (a path as params files write it)
    upload: tuple[str, str] | None = None  # an upload the page holds: (its id, its original name)
    made_from: str | None = None  # the params file the details came from
    moved: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # errors that name no box of the form
    data_error: str | None = None
    data_error_at: str = "f-data"  # the box it is shown beside: the list of case logs, or the upload (f-upload)
    checked: Checked | None = None
    busy: Making | None = None

    def error_list(self) -> list[tuple[str, str]]:
        """(the box's id, its error) for the error summary, in the order of the page."""
        found = [("", e) for e in self.errors]
        found += [(c.id, c.error) for c in form_mod.errors(self.controls)]
        if self.data_error:
            found.append((self.data_error_at, self.data_error))
        return found


class Desk:
    """One project's officer's page: where things are, the uploads it holds, and its one paper-making slot."""

    def __init__(self, root: Path, exports: Path | None = None):
        self.root = root
        self.params_dir = root / "params"
        self.outputs = root / "outputs"
        self.exports = exports if exports is not None else root / "exports"
        self.folder = private.Folder("app")
        self.maker = Maker(root)
        self._uploads: dict[str, Upload] = {}

    def close(self) -> None:
        self.maker.stop()
        self.folder.remove()

    # --- what there is ---------------------------------------------------------------------------------------

    def reports(self) -> list[Report]:
        found = []
        reports = Reports(self.root)
        for name in reports:
            try:
                summary, _ = describe(name, reports)
                summary = summary.removeprefix(f"{name}: ")  # the model's docstring starts with the report's name
                found.append(Report(name, summary[:1].upper() + summary[1:]))
            except ReportError as e:
                found.append(Report(name, "", error=str(e)))
        return found

    def model(self, report: str):
        try:
            return Reports(self.root)[report]
        except KeyError:
            return None

    def papers(self) -> list[papers.Paper]:
        return papers.made(self.outputs)

    def case_logs(self, draft: Draft) -> list[tuple[str, str]]:
        """(value, label) of each case log the form offers: the upload it holds, the one chosen, the exports
        folder's (newest first), then those other meetings of the report used."""
        offered = self.offered(draft.report)
        found: dict[str, str] = {}
        if draft.upload is not None:
            found[f"upload:{draft.upload[0]}"] = f"{draft.upload[1]} (uploaded, not yet kept)"
        if draft.data in offered and not draft.data.startswith("upload:"):
            found[draft.data] = draft.data
        for path in meetings.exports_files(self.exports):
            found.setdefault(self.relative(path), self.relative(path))
        for data in sorted(offered):
            if not data.startswith("upload:"):
                found.setdefault(data, data)
        return list(found.items())

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    # --- a draft -------------------------------------------------------------------------------------------------

    def new_draft(self, report: str, start_from: str | None = None) -> Draft | None:
        """The form of the next paper of ``report``: last meeting's details (or those of the params file named
        ``start_from``) with their dates moved on by one meeting cycle; None for an unknown report."""
        model = self.model(report)
        if model is None:
            return None
        mine = [m for m in meetings.history(self.params_dir) if m.report == report]
        last = next((m for m in mine if m.path.name == start_from), mine[-1] if mine else None)
        before = None
        if last is not None:
            earlier = [m for m in mine if m.date < last.date]
            before = earlier[-1] if earlier else None
        values, moved = meetings.moved_on(model, last.raw, before.raw if before else None) if last else ({}, [])
        draft = Draft(report, form_mod.controls(model, values), data=str(values.get(DATA) or ""),
                      made_from=self.relative(last.path) if last else None, moved=moved)
        return draft

    def meetings_of(self, report: str) -> list[meetings.Meeting]:
        return [m for m in meetings.history(self.params_dir) if m.report == report]

    def sent_draft(self, report: str, fields: Mapping[str, Any]) -> Draft | None:
        """The draft as the browser sent it back (every box as typed, an "Add another" applied)."""
        model = self.model(report)
        if model is None:
            return None
        controls = form_mod.refill(form_mod.controls(model, {}), fields)
        mine = {self.relative(m.path) for m in self.meetings_of(report)}
        made_from = str(fields.get("made_from", ""))
        draft = Draft(report, controls, data=str(fields.get(DATA, "")),
                      made_from=made_from if made_from in mine else None)  # only a params file of this report
        held = str(fields.get("upload_id", ""))
        if held in self._uploads:
            draft.upload = (held, self._uploads[held].name)
        return draft

    def offered(self, report: str) -> set[str]:
        """The case logs the form may name: those of the report's params files, the exports folder's files, and the
        uploads the page holds (nothing else a request names is read)."""
        found = {str(m.raw.get(DATA)) for m in self.meetings_of(report) if m.raw.get(DATA)}
        found |= {self.relative(p) for p in meetings.exports_files(self.exports)}
        return found | {f"upload:{key}" for key in self._uploads}

    def hold(self, upload: Upload, draft: Draft) -> None:
        """Hold an uploaded case log for this draft (until a paper is made from it, or the page stops)."""
        key = new_id()
        self._uploads[key] = upload
        draft.upload = (key, upload.name)
        draft.data = f"upload:{key}"

    def upload_folder(self) -> Path:
        """A new folder for one upload, inside the page's private folder."""
        return self.folder.path / "uploads" / new_id()

    def drop_upload(self, draft: Draft) -> None:
        if draft.upload is not None:
            upload = self._uploads.pop(draft.upload[0], None)
            if upload is not None:
                shutil.rmtree(upload.path.parent, ignore_errors=True)
            if draft.data == f"upload:{draft.upload[0]}":
                draft.data = ""
            draft.upload = None

    # --- from the form to a params mapping ------------------------------------------------------------------------

    def _mapping(self, draft: Draft, fields: Mapping[str, Any], data: str) -> dict | None:
        """The params mapping of the draft, with ``data`` as the case log; None (and the errors placed) when the
        form cannot give one."""
        try:
            mapping = form_mod.read(draft.controls, fields)
        except ParamsError as e:
            self.place(draft, e)
            return None
        if form_mod.FORMATS_KEY not in mapping and not fields.get(form_mod.FORMATS_KEY):
            self.place(draft, ParamsError(f"key '{form_mod.FORMATS_KEY}': choose at least one file to make",
                                          key=(form_mod.FORMATS_KEY,)))
            return None
        return {"notebook": draft.report, **({DATA: data} if data else {}), **mapping}

    def _data_path(self, draft: Draft) -> tuple[str, Upload | None]:
        """The case log the draft names, as the params file gives it, and the upload it is (if one); nothing when it
        names a case log the form does not offer."""
        if draft.data not in self.offered(draft.report):
            return "", None
        if draft.data.startswith("upload:"):
            upload = self._uploads.get(draft.data.split(":", 1)[1])
            return (str(upload.path), upload) if upload else ("", None)
        return draft.data, None

    def place(self, draft: Draft, error: ReportError, params_file: Path | str | None = None) -> None:
        """Put an error beside the box it is about (a DataError: the case log's), else above the form."""
        message = str(error)
        for prefix in ([f"{params_file}: "] if params_file else []):
            message = message.removeprefix(prefix)
        if isinstance(error, DataError):
            draft.data_error = message
            return
        key = getattr(error, "key", None)
        if key and key[0] == DATA:
            draft.data_error = message
        elif form_mod.place_error(draft.controls, key, message) is None:
            draft.errors.append(message)

    # --- checking the data ---------------------------------------------------------------------------------------

    def check(self, draft: Draft, fields: Mapping[str, Any]) -> Draft:
        """"Check the data": read the case log as ``reportlib validate`` does (through :func:`pipeline.check`),
        without rendering; the result, or the error beside its box."""
        from .. import pipeline

        data, upload = self._data_path(draft)
        if not data:
            draft.data_error = "choose the case log: a file from the list, or upload one"
            return draft
        mapping = self._mapping(draft, fields, data)
        if mapping is None:
            return draft
        where = self.folder.path / "checking" / f"{draft.report}.yaml"
        where.parent.mkdir(exist_ok=True)
        where.write_text(meetings.params_text(mapping, None), encoding="utf-8")
        try:
            checked = pipeline.check(where, selections=False)
        except ReportError as e:
            self._failed(draft, e, where, upload)
            return draft
        finally:
            where.unlink(missing_ok=True)
        draft.checked = self._checked(checked.log, upload)
        try:
            checked.check_selections()
        except ParamsError as e:
            draft.checked.problem = str(e).removeprefix(f"{where}: ")
            self.place(draft, e, where)
        return draft

    def _failed(self, draft: Draft, error: ReportError, params_file, upload: Upload | None) -> None:
        if upload is not None:  # the upload is named as the officer knows it, not by the page's folder
            key = getattr(error, "key", None)
            error = type(error)(named(str(error), upload.path, upload.name))
            error.key = key
        self.place(draft, error, params_file)
        if upload is not None and isinstance(error, DataError):  # a bad upload is not kept
            self.drop_upload(draft)
            draft.data_error_at = "f-upload"

    @staticmethod
    def _checked(log, upload: Upload | None) -> Checked:
        """What validate prints: the summary, the count of each problem, the notes, the bad rows (canonical columns'
        values only: nothing else of the case log is ever read)."""
        def name(text: str) -> str:
            return named(text, upload.path, upload.name) if upload is not None else text
        rows = [{"row": int(r.row), "column": str(r.column), "value": shown(r.value), "problem": name(str(r.problem)),
                 "action": str(r.action)} for r in log.problems.head(ROWS_SHOWN).itertuples(index=False)]
        return Checked(name(log.summary()), log.problem_counts(), [name(n) for n in log.notes], rows,
                       max(0, len(log.problems) - ROWS_SHOWN), log.rows_excluded)

    # --- making the paper ---------------------------------------------------------------------------------------

    def start(self, draft: Draft, fields: Mapping[str, Any]) -> tuple[Making, Path, Path | None] | None:
        """Save the params file (and keep an uploaded case log in the exports folder) for "Make the paper": the
        slot taken, the params file and the kept upload; None (errors placed) when it cannot start."""
        data, upload = self._data_path(draft)
        if not data:
            draft.data_error = "choose the case log: a file from the list, or upload one"
            return None
        mapping = self._mapping(draft, fields, data)
        if mapping is None:
            return None
        try:
            date = params_mod.parse_date(mapping.get("meeting_date"))
        except ValueError:
            date = None
        if date is None:
            self.place(draft, ParamsError("key 'meeting_date': give the date of the meeting, e.g. 2021-07-20",
                                          key=("meeting_date",)))
            return None
        name = f"{date.isoformat()}-{draft.report}"
        try:
            making = self.maker.claim(name)
        except Busy as e:
            draft.busy = e.making
            return None
        kept = None
        try:
            if upload is not None:
                existed = {p.resolve() for p in meetings.exports_files(self.exports)}
                path = meetings.keep_upload(upload.path, upload.name, self.exports)
                kept = None if path.resolve() in existed else path
                mapping[DATA] = self.relative(path)
            params_file = meetings.save_params(self.params_dir, mapping, draft.made_from)
        except BaseException:
            making.state = "failed"  # the slot is free again
            if kept is not None:
                kept.unlink(missing_ok=True)
            raise
        making.name = params_file.stem
        return making, params_file, kept

    def finish(self, draft: Draft, making: Making, params_file: Path, kept: Path | None) -> str | None:
        """After the render: the paper's name (done), or None with the error placed, the params file and the kept
        upload removed (a paper that could not be made leaves nothing behind)."""
        if making.state == "done":
            if draft.upload is not None:
                upload = self._uploads.pop(draft.upload[0], None)
                if upload is not None:
                    shutil.rmtree(upload.path.parent, ignore_errors=True)
            return params_file.stem
        params_file.unlink(missing_ok=True)
        if kept is not None:
            kept.unlink(missing_ok=True)
        error = making.error or {}
        message = error.get("message", "the paper could not be made")
        if kept is not None and draft.upload is not None:  # the upload named as the officer knows it
            message = named(message, self.relative(kept), draft.upload[1])
        is_data = error.get("kind") == "DataError"
        failure = DataError(message) if is_data else ParamsError(message, key=error.get("key"))
        self.place(draft, failure, self.relative(params_file))
        if is_data and draft.upload is not None:  # a bad upload is not kept
            self.drop_upload(draft)
            draft.data_error_at = "f-upload"
        return None


def named(text: str, path: Path | str, name: str) -> str:
    """``text`` naming the file at ``path`` by ``name`` (an upload by its name on the officer's computer)."""
    return text.replace(str(path), name)
