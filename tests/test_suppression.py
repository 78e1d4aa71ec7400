"""Small-number suppression: counts below ``suppress_below`` are published as [c], and totals and
shares cannot give them away."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factory import childrens_params, render_log, text_of
from reportlib.narrative import SUPPRESSED, Change, Share, suppress
from test_render import small_log


def test_off_by_default():
    assert suppress(Share(1, 3), None) == Share(1, 3)
    assert suppress(2, None) == 2


def test_share_with_a_small_count_or_small_remainder():
    assert suppress(Share(3, 45), 5).suppressed
    assert suppress(Share(43, 45), 5).suppressed      # 2 late is as small as 2 on time
    assert not suppress(Share(24, 45), 5).suppressed
    assert not suppress(Share(0, 45), 5).suppressed    # zero is not suppressed
    assert str(suppress(Share(3, 45), 5)) == "[c]"


def test_partition_gets_secondary_suppression():
    reasons = [Share(24, 45), Share(3, 45), Share(18, 45)]
    out = suppress(reasons, 5)
    # 3 is small; with only it hidden, 45 - 24 - 18 would reveal it, so the next smallest (18) goes too.
    assert [s.suppressed for s in out] == [False, True, True]
    assert [s.suppressed for s in suppress([Share(24, 45), Share(3, 45), Share(2, 45), Share(16, 45)], 5)] == \
        [False, True, True, False]


def test_counts_and_changes():
    assert suppress([10, 2, 30, 40], 5) == [SUPPRESSED, SUPPRESSED, 30, 40]
    assert suppress([10, 0, 30], 5) == [10, 0, 30]
    assert suppress(4, 5) == SUPPRESSED
    assert str(suppress(Change(117, 3), 5)) == "[c]"
    assert suppress({"adults": {"complaint": Change(117, 127)}}, 5)["adults"]["complaint"] == Change(117, 127)


def test_shares_of_different_totals_stand_alone():
    out = suppress([("Q1", Share(3, 10)), ("Q2", Share(8, 20)), ("Q3", Share(9, 30))], 5)
    assert [s.suppressed for _, s in out] == [True, False, False]


def test_suppressed_json_carries_no_numbers():
    assert suppress(Share(3, 45), 5).to_json() == {"type": "share", "suppressed": True, "unit": "case"}
    assert suppress(Change(3, 45), 5).to_json() == {"type": "change", "suppressed": True}


@given(st.lists(st.integers(0, 60), min_size=2, max_size=8), st.integers(2, 10))
def test_no_hidden_count_can_be_recovered_from_the_total(counts, below):
    total = sum(counts)
    shares = suppress([Share(c, total) for c in counts], below)
    hidden = [i for i, s in enumerate(shares) if s.suppressed]
    assert all(shares[i].suppressed for i, c in enumerate(counts) if 0 < c < below)
    # never exactly one hidden while another non-zero figure is shown: total - shown would reveal it
    assert len(hidden) != 1 or all(c == 0 for i, c in enumerate(counts) if i not in hidden)


@pytest.fixture(scope="module")
def suppressed(tmp_path_factory):
    out = render_log(tmp_path_factory.mktemp("suppressed"), small_log(), childrens_params, suppress_below=2)
    return text_of((out / "report.html").read_text()), json.loads((out / "figures.json").read_text()), out


def test_report_publishes_small_counts_as_c(suppressed):
    page = suppressed[0]
    # Staff absence and No reason recorded tie at 1 (below 2), named together "each"; with the total of 4, the
    # 2 of Other work pressures would give "each" away, so it is suppressed too (secondary suppression).
    assert "Staff absence and No reason recorded: each [c]." in page
    assert "Other work pressures: [c]." in page
    assert "2 complaints were still awaiting a response, [c] of them already past the due date" in page                 # 1 of 2 open
    assert "numbers of cases below 2 are shown as [c]" in page


def test_quarterly_table_suppresses_cells(suppressed):
    rows = dict(re.findall(r"(Q\d \d{4}/\d\d) (\[c\]|\d+ of \d+|\d+% \(\d+ of \d+\))", suppressed[0]))
    assert rows["Q1 2019/20"] == "[c]"        # 1 of 1
    assert rows["Q3 2020/21"] == "2 of 4"     # nothing small (and too few for a percentage)


def test_figures_json_holds_no_suppressed_numbers(suppressed):
    reasons = suppressed[1]["overdue_reasons"]["value"]
    assert reasons[1]["names"] == ["Staff absence", "No reason recorded"]
    assert reasons[1]["value"] == {"type": "share", "suppressed": True, "unit": "case"}
    assert suppressed[1]["open_overdue"]["value"] == {"type": "share", "suppressed": True, "unit": "case"}
    assert suppressed[1]["rows_read"]["value"] == 16     # data-quality counts are not about people


def test_a_tied_group_of_small_shares_gets_secondary_suppression():
    """Two reasons tied at 1 case are named together "each [c]": with the total, the one other figure would give
    "each" away, so it is hidden too."""
    groups = [{"names": ["Other"], "value": Share(2, 4)}, {"names": ["Staff", "Complex"], "value": Share(1, 4)}]
    out = suppress(groups, 2)
    assert [g["value"].suppressed for g in out] == [True, True] and [g["names"] for g in out] == [["Other"],
                                                                                                  ["Staff", "Complex"]]
    assert [g["value"].suppressed for g in suppress(groups, 1)] == [False, False]
