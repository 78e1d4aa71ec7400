"""The analyst's tools for writing reports: ``reportlib new`` and the JupyterLab that ``./dev lab`` opens.

:func:`new` scaffolds a report in the house style: ``notebooks/NAME.md`` (MyST, what analysts edit and
diff) with its paired ``notebooks/NAME.ipynb``, and ``params/sample_NAME.yaml``, which renders on the
bundled sample data at once. The notebook's parameters cell declares the report's own keys (see
:func:`reportlib.params.declared_model`), so nothing else has to be edited for ``reportlib render`` and
``reportlib describe`` to know the new report.

:func:`strip_outputs` is JupyterLab's pre-save hook (``./dev lab`` sets it): a report notebook is saved
as it is committed, without outputs, while the open notebook keeps showing them.
"""

from __future__ import annotations

import hashlib
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ParamsError
from .notebooks import MD_FORMAT, load_nbformat

# The notebook a new report starts from. __NAME__ and __TITLE__ are filled in; the rest is the house style of
# notebooks/childrens_response_times.md: a remove-cell introduction, the parameters cell, a setup cell, compute
# cells that glue figures, narrative that cites them (reading well at 0, 1, 2 and many), a chart with its data
# table, and the standard sections.
NOTEBOOK = '''---
jupytext:
  formats: ipynb,md:myst
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

+++ {"tags": ["remove-cell"]}

# __TITLE__

This notebook is the `__NAME__` report, made by `reportlib new __NAME__`: how quickly the Council
responded to complaints in a financial year, as a start to turn into the report you need. Run it top to
bottom in JupyterLab to work on its sample meeting, `params/sample___NAME__.yaml`, on the sample data;
`reportlib preview params/sample___NAME__.yaml` shows the
committee paper as you edit, and `reportlib render params/<meeting>.yaml` makes it for a meeting. Markdown
cells are the committee paper: cite a figure as `{{ name }}` or `{{ name | filter }}` (see
docs/analysts.md). Cells tagged `remove-cell` (like this one) do not appear in the paper.

The parameters cell declares this report's own keys, one a line, as `name: "type" = default`, with what
it is in a comment at the end of the line or on the lines just above; wrap the type in `Required[...]` for
a key every params file must give (its value here is then an example). The keys every report takes
(council, meeting_date, data...) are not in it: a params file gives them. `reportlib describe __NAME__`
lists them all, and `reportlib render` checks a params file against them.

```{code-cell} ipython3
:tags: [parameters, remove-cell]

# Parameters: this report's own keys and their defaults; a params file gives every key.
notebook = "__NAME__"
# The financial year reported, e.g. 2020/21, compared with the year before.
year: "Required[FinancialYear]" = "2020/21"
target_working_days: "WorkingDays" = 20  # A response is on time when it is sent within this many working days.
# Only the complaints of this procedure (childrens, adults or corporate); default all.
procedure: "Optional[Procedure]" = None
```

```{code-cell} ipython3
:tags: [remove-cell]

import reportlib as rl

report = rl.open_report(globals())
p = report.params
cases = report.cases
```

```{code-cell} ipython3
:tags: [remove-cell]

# The stage 1 complaints this report is about, and how long each response took against the target.
fy = rl.periods.parse_fy(p.year)
year_start, year_end = rl.periods.fy_start(fy), rl.periods.fy_end(fy)
scope = rl.stats.select(cases, kind="complaint", stage=1, procedure=p.procedure)
t = rl.stats.timing(cases, p.target_working_days, cut_off=report.cut_off, **report.calendar())

rl.glue("scope_words", f"{rl.stats.PROCEDURE_LABELS[p.procedure]} complaints" if p.procedure else "complaints",
        "params: procedure, in words")
received = int((scope & rl.stats.between(cases["received"], year_start, year_end)).sum())
rl.glue("received", received, "stage 1 complaints received in params: year")
has_previous = bool(rl.selection.covered_years([fy - 1], cases))  # before the case log starts: unknown, not zero
rl.glue("has_previous_year", has_previous, "the case log covers the year before params: year")
rl.glue("previous_year", rl.periods.fy_label(fy - 1), "the financial year before params: year")
before = int((scope & rl.stats.between(cases["received"], rl.periods.fy_start(fy - 1), rl.periods.fy_end(fy - 1))).sum())
rl.glue("received_change", rl.Change(before, received), "stage 1 complaints received, the year before -> params: year")
rl.glue("data_start", rl.selection.span(cases).first, "the first date received in the case log")

rl.glue("within", rl.stats.within_share(t, year_start, year_end, scope, unit="response"),
        "responses sent in params: year within params: target_working_days")
open_now = scope & t["open"].to_numpy()
rl.glue("open_count", int(open_now.sum()), "complaints received by the cut-off and not yet responded to")
rl.glue("open_overdue", rl.Share(int((open_now & t["overdue"].to_numpy()).sum()), int(open_now.sum())),
        "open complaints already past their due date at the cut-off")
rl.glue("has_action_plan", bool(p.action_plan), "params: action_plan given")

# Quarter by quarter through the year (only the quarters the case log covers).
quarters = rl.selection.covered_quarters(rl.periods.last_quarters(fy, 4), cases)
quarterly = report.suppress(rl.stats.quarterly_within(t, quarters, scope))
```

## Purpose

This report sets out how quickly the Council responded to {{ scope_words }} in {{ params.year }}, against
its target of a response within {{ params.target_working_days }} working days.

## Recommendations

{% if params.recommendations %}
It is recommended that:

{{ recommendations }}
{% else %}
Members are asked to note the contents of this report.
{% endif %}

## Background

{% if has_previous_year %}
The number of {{ scope_words }} received {{ received_change | went }} between {{ previous_year }} and
{{ params.year }}.
{% else %}
The case log starts on {{ data_start | date }}, so there are no figures for {{ previous_year }} to compare with.
In {{ params.year }} the Council received {{ received | counted("complaint") }}.
{% endif %}

## Response times

{% if within.empty %}
No responses to {{ scope_words }} were sent in {{ params.year }}.
{% else %}
In {{ params.year }}, {{ within | of_total("response") }} {{ within.count | agree("was", "were") }} sent within
{{ params.target_working_days }} working days{% if within.shows_pct %} ({{ within | pct }}){% endif %}. The share in each quarter
is shown in {{ ref.quarterly }}.
{% endif %}

```{code-cell} ipython3
:tags: [remove-input, ref-quarterly]

rl.charts.quarterly(
    quarterly,
    title=f"Complaints responded to within {p.target_working_days} working days, by quarter",
    subtitle=f"Share of responses sent in each quarter of {p.year}",
    ylabel="Responses within timescale", column=f"Responses within {p.target_working_days} working days",
    source=f"{p.council} complaints case log",
)
```

At {{ cut_off | date }}, {{ open_count | counted("complaint") }} {{ open_count | agree("was", "were") }}
still awaiting a response{{ open_overdue | of_which(open_count, "already past the due date", "yet past the due date") }}.

{% if has_action_plan %}
The actions being taken to improve response times are set out in Appendix 1.
{% endif %}

## About the figures

{{ about_the_figures() }}

## Finance

{{ implications.finance }}

## Law

{{ implications.law }}

## Equality Impact

{{ implications.equality }}

## Human Resources/Organisational Development

{{ implications.human_resources }}

## Commercial/Procurement

{{ implications.commercial }}

## Health and Wellbeing

{{ implications.health_and_wellbeing }}

+++ {"tags": ["appendix"]}

{% if has_action_plan %}
## Appendix 1: Action plan
{% endif %}

```{code-cell} ipython3
:tags: [remove-input, appendix]

if p.action_plan:
    display(rl.Table("Action plan", ["Action", "Progress", "Result"],
                     [[a.action, a.progress, a.result] for a in p.action_plan]))
```
'''

# The params file that renders the new report on the bundled sample data.
SAMPLE_PARAMS = '''# Sample meeting: the __NAME__ report (made by reportlib new) on the bundled synthetic case log.
# Copy this file for a real meeting and change the title block, dates and data: (see docs/params.md);
# reportlib describe __NAME__ lists every key this report takes.
notebook: __NAME__
council: Sample Borough Council
committee: Scrutiny Committee
meeting_date: 2021-07-14
title: "__TITLE__"
report_of: Head of Customer Services
contact:
  name: Sam Patel
  role: Complaints Manager
  phone: 01632 960 001
  email: complaints@sample-borough.gov.uk
data: data/sample_case_log.csv
year: 2020/21
target_working_days: 20
recommendations:
  - Members note the complaint response times set out in this report.
'''


@dataclass(frozen=True)
class Scaffold:
    """The files :func:`new` wrote, relative to the project folder."""

    md: Path
    ipynb: Path
    params: Path

    def summary(self) -> str:
        return (f"wrote {self.md}, {self.ipynb} and {self.params}\n"
                f"next: reportlib preview {self.params}  (or reportlib render {self.params})")


def check_name(name: str, root: Path) -> None:
    """Refuse a report name that is not a Python identifier or that exists already (ParamsError, one line)."""
    from .rules import RULES

    if not name.isidentifier() or keyword.iskeyword(name):
        raise ParamsError(f"'{name}' is not a valid report name: use letters, digits and _ (not starting with a "
                          "digit, not a Python keyword), e.g. housing_complaints")
    if name in RULES:
        raise ParamsError(f"'{name}' is a report reportlib already has; choose another name")
    taken = [path for path in _paths(name, root) if path.exists() or path.is_symlink()]
    if taken:
        raise ParamsError(f"{taken[0].relative_to(root)} already exists: choose another name, or edit that report")


def _paths(name: str, root: Path) -> tuple[Path, Path, Path]:
    return (root / "notebooks" / f"{name}.md", root / "notebooks" / f"{name}.ipynb",
            root / "params" / f"sample_{name}.yaml")


def title_of(name: str) -> str:
    """``housing_complaints`` -> ``Housing complaints``."""
    words = " ".join(name.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else name


def notebook_texts(name: str) -> dict[str, str]:
    """The new report's notebook as jupytext and nbformat write it (``md`` and ``ipynb``), so that ``./dev sync``
    and JupyterLab leave both files as they are."""
    nbformat = load_nbformat()  # before jupytext loads it
    import jupytext

    md = NOTEBOOK.replace("__NAME__", name).replace("__TITLE__", title_of(name))
    nb = jupytext.reads(md, fmt=MD_FORMAT)
    for i, cell in enumerate(nb.cells):  # the same ids on every machine
        cell.id = hashlib.sha1(f"{name}:{i}".encode()).hexdigest()[:8]
    text = jupytext.writes(nb, fmt=MD_FORMAT)
    nb.metadata["jupytext"].pop("text_representation", None)  # as JupyterLab's jupytext saves an .ipynb
    return {"md": text, "ipynb": nbformat.writes(nb) + "\n"}


def new(name: str, root: Path | str | None = None) -> Scaffold:
    """Scaffold the report ``name`` in the project folder ``root`` (default: the one at or above the current
    directory): ``notebooks/NAME.md`` and ``.ipynb`` (a pair, in step) and ``params/sample_NAME.yaml``.

    Refuses (ParamsError) a name that is not an identifier, or whose notebook, .md or params file exists.
    """
    from .params import project_root

    root = Path(root) if root is not None else project_root()
    check_name(name, root)  # before the notebook libraries load: a refusal is said at once
    from .declare import declared_model

    load_nbformat()  # before jupytext loads it
    import jupytext

    md, ipynb, params_file = _paths(name, root)
    texts = notebook_texts(name)
    cell = next(c.source for c in jupytext.reads(texts["md"], fmt=MD_FORMAT).cells
                if "parameters" in c.metadata.get("tags", []))
    declared_model(name, cell)  # the declaration is sound before anything is written
    params_file.parent.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        # The .md before the .ipynb: the pair is in step, and its .ipynb is the file read.
        for path, text in ((md, texts["md"]), (ipynb, texts["ipynb"]),
                           (params_file, SAMPLE_PARAMS.replace("__NAME__", name).replace("__TITLE__", title_of(name)))):
            with path.open("x", encoding="utf-8") as f:  # never replaces a file made meanwhile
                written.append(path)
                f.write(text)
    except FileExistsError as e:
        for path in written:  # only the files made here (open "x" failed on the other)
            path.unlink(missing_ok=True)
        raise ParamsError(f"{Path(e.filename).relative_to(root)} already exists: choose another name, or edit that "
                          "report") from None
    return Scaffold(*(path.relative_to(root) for path in (md, ipynb, params_file)))


def strip_outputs(model: dict[str, Any], path: str, **_: Any) -> None:
    """JupyterLab pre-save hook: a notebook under ``notebooks/`` is saved without outputs or execution counts, as
    it is committed (``tests/test_notebooks.py`` checks it). Set by ``./dev lab``
    (``--ContentsManager.pre_save_hook=reportlib.authoring.strip_outputs``)."""
    if model.get("type") != "notebook" or "notebooks" not in Path(path).parts[:-1]:
        return
    for cell in model.get("content", {}).get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None


def describe_text(notebook: str, width: int = 100, reports: Any = None) -> str:
    """``reportlib describe NOTEBOOK``: the report's keys (its own first, then those every report takes), each with
    its type, whether a params file must give it (else its default) and its help, from the params model itself."""
    import textwrap

    from .describe import describe
    from .reports import REPORTS

    summary, keys = describe(notebook, REPORTS if reports is None else reports)
    width = max(width, 60)
    out = [*textwrap.wrap(summary, width, break_on_hyphens=False), ""]

    def need(key) -> str:
        return "required" if key.required else f"optional, default {key.default}"

    def wrap(text: str, indent: str, more: str | None = None) -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more or indent,
                             break_on_hyphens=False)

    own = [k for k in keys if not k.common]
    common = [k for k in keys if k.common]
    for heading, group in (("This report's own keys:", own), ("Keys every report takes:", common)):
        if not group:
            continue
        out.append(heading)
        for key in group:
            out += wrap(f"{key.name}: {key.type}; {need(key)}", "  ", "      ")
            if key.help:
                out += wrap(key.help, "      ")
            for part in key.parts:
                out += wrap(f"- {part.name}: {part.type}; {need(part)}. {part.help}".rstrip(". ") + ".", "      ",
                            "        ")
        out.append("")
    return "\n".join(out).rstrip("\n")
