"""report.html in a real browser (Debian's headless Chromium): loads without errors, shows table and timeline."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (`.ci/run` installs it)"
)

# Records any script error on the page, and then uses the page's own search box.
_ERROR_HOOK = (
    "<script>window.__errors=[];window.addEventListener('error',function(e){"
    "window.__errors.push(String(e.message));});</script>"
)
_PROBE = (
    "<script>(function(){var box=document.getElementById('filter');box.value='{query}';"
    "box.dispatchEvent(new Event('input'));var shown=Array.prototype.filter.call("
    "document.querySelectorAll('section.case'),function(el){return el.style.display!=='none';});"
    "document.body.setAttribute('data-shown',String(shown.length));"
    "document.body.setAttribute('data-errors',window.__errors.join('|'));})();</script>"
)


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def _console_errors(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if ":CONSOLE" in line and re.search(r"Uncaught|Error", line)
    ]


@needs_chromium
def test_page_runs_without_errors_and_its_search_works(night, tmp_path):
    result, _, _ = night
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    target = lst["control_id"].iloc[len(lst) // 2]
    probe = _PROBE.replace("{query}", target.lower())
    page = tmp_path / "probe.html"
    page.write_text(
        html.replace("<head>", "<head>" + _ERROR_HOOK, 1).replace("</body>", probe + "</body>"),
        encoding="utf-8",
    )
    run = _chromium("--dump-dom", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert _console_errors(run.stderr) == []
    assert 'data-errors=""' in dom
    assert 'data-shown="1"' in dom  # the page's script ran: one case left after the search
    assert 'id="summary"' in dom and 'id="night"' in dom
    assert dom.count('<svg class="timeline"') == len(lst)
    assert dom.count('<section class="case"') == len(lst)


@needs_chromium
def test_unmodified_page_logs_no_errors(night):
    result, _, _ = night
    run = _chromium("--dump-dom", (result.folder / "report.html").as_uri())
    assert run.returncode == 0 and "<h1>Kontrollista 2025-10-01</h1>" in run.stdout
    assert _console_errors(run.stderr) == []


def _has_colour(pixels: np.ndarray, hex_colour: str, tol: int = 6) -> int:
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels[..., :3].astype(int) - rgb).max(axis=-1) <= tol).sum())


@needs_chromium
def test_screenshot_shows_the_table_and_a_timeline(night, tmp_path):
    result, _, _ = night
    shot: Path = tmp_path / "report.png"
    run = _chromium(
        f"--screenshot={shot}", "--window-size=1400,3200", (result.folder / "report.html").as_uri()
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(shot)
    assert img.size == (1400, 3200)
    pixels = np.asarray(img.convert("RGB"))
    assert pixels.std() > 10  # not a blank page
    assert _has_colour(pixels, "#dde6f0") > 2000  # table header cells
    assert _has_colour(pixels, "#3b6ea5") > 50  # SJP payment bars of the first timeline
    assert _has_colour(pixels, "#b7c4d1") > 200  # monthly income bars


@needs_chromium
def test_page_shows_each_case_its_notice_and_no_intent(night):
    """The notice for the person is on the page for every case, as rendered; the intent measure
    that chose the lane, and any word of suspected crime, are not."""
    result, _, _ = night
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    run = _chromium("--dump-dom", (result.folder / "report.html").as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert dom.count('<div class="notice">') == len(lst)
    assert dom.count("Meddelande till personen") == len(lst)
    first = lst.sort_values(["benefit", "lane", "rank"]).iloc[0]
    assert first["notice"].split(". ")[0] in dom
    text = re.sub(r"<[^>]+>", " ", dom).lower()
    assert "avsikt" not in text and "uppsåt" not in text and "misstänk" not in text
    assert "brott" not in text and "nan kr" not in text
    assert "kontrollform" in text and "ingenting är beslutat" in text
