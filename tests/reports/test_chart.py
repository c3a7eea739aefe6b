"""The digest chart: a real PNG, every 汉字 drawn from the project's own font file."""

from __future__ import annotations

import io
import struct
import warnings

from matplotlib import font_manager

from reports import fonts
from reports.chart import ChartRow, submission_chart

ROWS = [
    ChartRow("市交通运输局", 2, 1, 0, 1),
    ChartRow("综合交通“同城同网”专项合作组", 3, 0, 1, 0),
    ChartRow("雁江区", 0, 0, 0, 2),
    *(ChartRow(f"测试单位{n:02d}", 1, 0, 0, 0) for n in range(20)),
]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_is_a_png_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = submission_chart("2023-05 台账报送情况（截至 2023-06-05）", ROWS, "zh")
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert missing == []
    width, height = png_size(data)
    assert 600 < width < 1200 and 300 < height < 2000


def test_english_chart_renders_too() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert png_size(submission_chart("Ledger 2023-05", ROWS[:3], "en"))[0] > 600


def test_the_font_is_the_projects_own() -> None:
    family = fonts.register()
    path = fonts.font_path()
    assert "paperang_p2_fonts_cjk" in path.parts and path.is_file()
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert found == str(path)
    # every character the chart can show is in that font
    from fontTools.ttLib import TTCollection

    cmap = TTCollection(str(path)).fonts[0].getBestCmap()
    text = (
        "".join(r.unit for r in ROWS)
        + "按时报送逾期待审定未报任务数另有个单位未显示均已截至台账情况（）"
    )
    assert [c for c in text if ord(c) not in cmap] == []


def test_hidden_units_are_summarised() -> None:
    """23 units, 15 shown: the note names the 8 others (decoded by looking at the text object)."""
    from reports.chart import _pick

    shown, hidden, all_done = _pick(ROWS, 15)
    assert [r.unit for r in shown[:3]] == ["雁江区", "市交通运输局", "综合交通“同城同网”专项合作组"]
    assert (len(shown), hidden, all_done) == (15, 8, True)
    assert io.BytesIO(submission_chart("t", ROWS)).getbuffer().nbytes > 10_000
