"""The hovedtal page's SVG bar charts (reporting.charts): a wide and a narrow drawing."""

from __future__ import annotations

from reporting import charts

PAR = [("Anmodninger", 20), ("Iværksættelser", 15), ("Uoplyst", 0)]


def test_bars_are_scaled_to_the_largest_count_in_both_drawings():
    d = charts.soejlediagram("Hovedtal", PAR)
    assert [s.bredde for s in d.bred.soejler] == [charts.BAR_BREDDE, 248, 0]
    assert [s.bredde for s in d.smal.soejler] == [charts.SMAL_BAR_BREDDE, 218, 0]
    for tegning in (d.bred, d.smal):
        assert [(s.label, s.antal) for s in tegning.soejler] == PAR
        for s in tegning.soejler:
            assert s.tekst_x == s.x + s.bredde + 6  # the count right after its bar
            assert s.x + s.bredde + charts.TAL_BREDDE - 10 <= tegning.bredde


def test_wide_puts_the_label_before_the_bar_narrow_above_it():
    d = charts.soejlediagram("Hovedtal", PAR)
    assert d.bred.label_anker == "end"
    assert all(s.label_x < s.x and s.y <= s.label_y <= s.y + 22 for s in d.bred.soejler)
    assert d.smal.label_anker == "start"
    assert all(s.label_x == s.x == 0 and s.label_y < s.y for s in d.smal.soejler)
    # Rows do not overlap: each label starts below the previous bar.
    for over, under in zip(d.smal.soejler, d.smal.soejler[1:], strict=False):
        assert under.label_y - 13 > over.y + 22
    assert d.smal.hoejde >= d.smal.soejler[-1].y + 22


def test_long_labels_are_cut_the_narrow_drawing_keeps_more():
    lang = "Stoffri behandling (§101 SEL / §33 Barnets Lov) og mere"
    d = charts.soejlediagram("Type", [(lang, 3)])
    assert d.bred.soejler[0].label == lang[:31] + "…"
    assert d.smal.soejler[0].label == lang[:45] + "…"


def test_no_counts_draws_no_bars_and_divides_by_nothing():
    d = charts.soejlediagram("Tom", [])
    assert d.bred.soejler == [] and d.smal.soejler == []
    assert d.bred.hoejde > 0 and d.smal.hoejde > 0
    assert [s.bredde for s in charts.soejlediagram("Nul", [("A", 0)]).smal.soejler] == [0]
