"""Progress lines for the terminal: plain and sparse when not on a terminal."""

import io

from realpeople.progress import Progress


def test_plain_lines_at_start_every_tenth_and_end():
    out = io.StringIO()
    with Progress("accounts scored", total=100, stream=out, unit="accounts") as bar:
        for _ in range(100):
            bar.advance()
    lines = out.getvalue().splitlines()
    assert lines[0] == "    accounts scored: 0/100 accounts"
    assert "    accounts scored: 50/100 accounts" in lines
    assert lines[-1].startswith("    accounts scored: 100/100 accounts in ")
    assert len(lines) == 12  # start, ten tenths, the closing line


def test_silenced_by_the_environment(monkeypatch):
    monkeypatch.setenv("REALPEOPLE_PROGRESS", "0")
    out = io.StringIO()
    with Progress("dbt models", total=3, stream=out) as bar:
        bar.advance(3)
    assert out.getvalue() == ""
