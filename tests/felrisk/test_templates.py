"""The template loader: HTML escaped as html.escape does and joined to one line, Markdown verbatim,
undefined names refused, and every template shipped with the installed package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from html import escape

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from felrisk import templates
from felrisk.paths import project_root

HOSTILE = "<b>\"x\" & 'y'</b>"


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throwaway package with one HTML and one Markdown template."""
    folder = tmp_path / "tplpkg" / "templates"
    folder.mkdir(parents=True)
    (tmp_path / "tplpkg" / "__init__.py").write_text("")
    (folder / "page.html.j2").write_text(
        '<p title="{{ v }}">\n  {{ v }}\n  {{ ours }}\n</p>\n', encoding="utf-8"
    )
    (folder / "card.md.j2").write_text("# {{ v }}\n\n| a |\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    templates.environment.cache_clear()
    yield "tplpkg"
    templates.environment.cache_clear()


def test_html_is_escaped_like_html_escape_and_joined_to_one_line(package):
    page = templates.render(package, "page.html.j2", v=HOSTILE, ours=Markup("<i>ours</i>"))
    assert page == f'<p title="{escape(HOSTILE)}">{escape(HOSTILE)}<i>ours</i></p>'
    assert "&quot;x&quot; &amp; &#x27;y&#x27;" in page  # the manifest's bytes: not &#34; / &#39;


def test_markdown_is_rendered_as_written(package):
    assert templates.render(package, "card.md.j2", v=HOSTILE) == f"# {HOSTILE}\n\n| a |\n"


def test_an_undefined_name_fails_the_render(package):
    with pytest.raises(UndefinedError, match="'v' is undefined"):
        templates.render(package, "card.md.j2")


def test_every_template_is_package_data():
    """A non-editable install copies only what package-data names."""
    pyproject = tomllib.loads((project_root() / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    found = sorted(project_root().glob("*/templates/*"))
    assert {"scoring", "training"} <= {p.parent.parent.name for p in found}
    unshipped = [
        str(p.relative_to(project_root()))
        for p in found
        if not any(fnmatch(f"templates/{p.name}", g) for g in data.get(p.parent.parent.name, []))
    ]
    assert not unshipped
