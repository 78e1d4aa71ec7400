"""``reportlib``: the command line. Thin: each command calls the library and turns
a :class:`ReportError` into one line on stderr and an exit status."""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path

import click

from .errors import ReportError, printable, shown
from .regions import DEFAULT_REGION, REGIONS


def _friendly(fn):
    """Run a command; a ReportError becomes ``error: <message>`` and its exit status."""
    @functools.wraps(fn)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReportError as e:
            if debug:
                raise
            click.echo(f"error: {e}", err=True)
            sys.exit(e.exit_status)
    return wrapper


def _warn(text: str) -> None:
    """A warning that does not stop the command (a case log git would commit): one line on stderr."""
    click.echo(f"warning: {printable(text)}", err=True)


class _Date(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        from .params import parse_date
        try:
            return parse_date(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


DATE = _Date()


def _formats(ctx, param, value):
    """``--format docx,xlsx`` as the formats to make (None: the params file's); an unknown one named."""
    if value is None:
        return None
    from .formats import check_formats
    try:
        return check_formats(value)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None


debug_option = click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
region_option = click.option("--region", type=click.Choice(list(REGIONS)), default=DEFAULT_REGION, show_default=True,
                             help="Whose bank holidays to skip.")
closure_option = click.option("--closure", "closures", multiple=True, type=DATE, metavar="DATE",
                              help="An extra non-working day (e.g. a Christmas shutdown); repeat for more.")




@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportlib")
def main():
    """Committee reports on complaints handling, rendered from a case-log export."""


@main.command()
@click.argument("params_files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PARAMS.yaml...")
@click.option("--out", type=click.Path(path_type=Path), metavar="DIR",
              help="Parent folder of the reports (default: outputs/): each report goes to DIR/<params file name>/, "
                   "replacing only an earlier render's folder.")
@click.option("--strict", is_flag=True, help="Refuse to render if any case-log row had to be excluded (exit 1).")
@click.option("--jobs", type=int, default=None, help="Reports rendered at once (default: one per core).")
@click.option("--format", "formats", metavar="FORMATS", callback=_formats,
              help="Which files to make, comma-separated, from html, pdf, docx, xlsx (e.g. --format docx,xlsx); "
                   "overrides the params file's formats: (default html,pdf). The audit files are always written.")
@debug_option
@_friendly
def render(params_files, out, strict, jobs, formats):
    """Render the committee report(s) for PARAMS.yaml into outputs/<name>/ (or DIR/<name>/ with --out DIR)."""
    from . import pipeline
    if len(params_files) == 1:
        result = pipeline.render(params_files[0], out=out, strict=strict, formats=formats, warn=_warn)
        click.echo(result.summary())
        return
    failures = pipeline.render_many(params_files, out_parent=out, strict=strict, jobs=jobs, formats=formats)
    if failures:
        sys.exit(max(f.exit_status for f in failures))


@main.command()
@click.argument("params_file", type=click.Path(path_type=Path), metavar="PARAMS.yaml")
@debug_option
@_friendly
def validate(params_file):
    """Read the case log as render would and print the data-quality summary.

    Prints rows read, used and excluded; how many rows have each kind of problem; then every
    problem row. Exit status: 0 clean, 1 some rows excluded, 2 the case log or params file cannot
    be read, or a filter or period in the params file selects no case. Warns (on stderr, exit status
    unchanged) when the case log lies in a git work tree that does not ignore it.
    """
    from . import pipeline
    checked = pipeline.check(params_file, selections=False, warn=_warn)
    log = checked.log

    def echo(line: str) -> None:  # a value's escape codes are shown, never obeyed by the terminal
        click.echo(printable(line))

    echo(log.summary())
    for kind, column, action, rows in log.problem_counts():
        echo(f"  {rows:,} {'row' if rows == 1 else 'rows'} {action}: {kind}" + (f" ({column})" if column else ""))
    for note in log.notes:
        echo(f"note: {note}")
    for r in log.problems.itertuples(index=False):  # a row with the wrong field count: its number and problem only
        cell = f"{r.column} {shown(r.value)}: " if r.column else ""
        echo(f"row {r.row}: {cell}{r.problem} ({r.action})")
    checked.check_selections()  # after the rows: they may be why nothing matches
    sys.exit(1 if log.rows_excluded else 0)


@main.command()
@click.argument("start", type=DATE)
@click.argument("end", type=DATE)
@region_option
@closure_option
def workdays(start, end, region, closures):
    """Print the working days taken from START (received) to END (responded).

    Counts working days after START up to and including END: received on a
    Friday and responded on the Monday is 1; the same day is 0.
    """
    if end < start:
        raise click.BadParameter(f"END ({end.isoformat()}) is before START ({start.isoformat()}): give the date "
                                 "received first, then the date responded", param_hint="'END'")
    from .workdays import days_taken
    click.echo(days_taken(start, end, region, closures))


class _WorkingDays(click.ParamType):
    """A whole number of working days, 0 or more; "-3" is read as a (wrong) number, not as an option."""

    name = "DAYS"

    def convert(self, value, param, ctx):
        try:
            days = int(str(value).strip())
        except ValueError:
            self.fail(f"{shown(value)} is not a whole number of working days (e.g. 20)", param, ctx)
        if days < 0:
            self.fail(f"{days} is negative: give the number of working days after START, 0 or more "
                      "(the due date is never before the date received)", param, ctx)
        return days


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("start", type=DATE)
@click.argument("days", type=_WorkingDays())
@region_option
@closure_option
def due(start, days, region, closures):
    """Print the due date (ISO): the DAYS-th working day after START."""
    from .workdays import due_date
    click.echo(due_date(start, days, region, closures).isoformat())


@main.command()
@click.argument("params_file", type=click.Path(path_type=Path), metavar="PARAMS.yaml")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 to serve the report on (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the report in a browser.")
@debug_option
@_friendly
def preview(params_file, port, no_browser):
    """Serve the report on 127.0.0.1 and re-render it whenever the notebook, params or case log is saved.

    A narrative edit re-renders from the last execution without running code; a code, params or
    data edit re-runs the notebook in a kernel kept warm. Ctrl-C stops it; nothing is written to
    outputs/.
    """
    from . import preview as preview_mod
    preview_mod.main(params_file, port=port, open_browser=not no_browser)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1 to serve the page on (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option("--exports", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help="The folder of case-log exports the page offers, and where it keeps uploads (default: exports/ "
                   "in the project folder).")
@click.option("--max-upload", type=click.FloatRange(min=0, min_open=True), default=200, show_default=True,
              metavar="MB", help="The largest case log the page takes as an upload, in MB.")
@debug_option
@_friendly
def app(port, no_browser, exports, max_upload):
    """The officer's page: make a meeting's paper in the browser, without a terminal or a YAML file.

    Serves http://127.0.0.1:PORT/ only. The page fills the meeting's details in from the last params file of the
    report (dates moved on by one meeting cycle), checks the case log as validate does, saves the params file in
    params/ and makes the paper as render does. Ctrl-C stops it.
    """
    from . import app as app_mod, params
    root = params.project_root()
    app_mod.main(root, port=port, open_browser=not no_browser, limit=int(max_upload * 1_000_000),
                 exports=(exports if exports is None or exports.is_absolute() else Path.cwd() / exports))


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write the CSV (default: data/sample_case_log.csv in the project folder).")
@debug_option
@_friendly
def sample(out):
    """(Re)write the bundled synthetic sample case log."""
    from . import params, sample as sample_mod
    path = out or params.project_root() / sample_mod.DEFAULT_PATH
    n = sample_mod.write(path)
    click.echo(f"{path}: {n:,} rows")


@main.command()
@click.argument("name")
@debug_option
@_friendly
def new(name):
    """Scaffold a new report NAME: notebooks/NAME.ipynb with its paired NAME.md, and params/sample_NAME.yaml.

    The notebook is in the house style (parameters, figures glued from reportlib, narrative citing them, a chart
    with its data table, the standard sections) and its parameters cell declares the report's own keys, so
    'reportlib render params/sample_NAME.yaml' renders it on the sample data at once. NAME must be a Python
    identifier (e.g. housing_complaints) that no notebook, .md or params file uses yet.
    """
    from . import authoring
    click.echo(authoring.new(name).summary())


@main.command()
@click.argument("notebook")
@debug_option
@_friendly
def describe(notebook):
    """List the params of the report NOTEBOOK: each key's type, whether a params file must give it (else its
    default) and what it is, from the same declaration the params check uses."""
    import shutil

    from . import authoring
    click.echo(authoring.describe_text(notebook, width=min(shutil.get_terminal_size((100, 24)).columns, 120)))


def command() -> None:
    """The ``reportlib`` program: :func:`main`, in a process that ends when it returns.

    Python's last garbage collections as it exits walk every object the command made or imported (a render
    has loaded pandas, nbconvert and WeasyPrint): a third of a second spent freeing memory the operating
    system takes back anyway. Frozen, they are skipped; files and the terminal are flushed and closed as
    always. (Only for the program: a test or a notebook calling :func:`main` keeps its collector.)
    """
    from .private import exit_on_signals

    exit_on_signals()  # SIGTERM and SIGHUP end a command as Ctrl-C does: its kernel, folders and lock are removed
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    command()
