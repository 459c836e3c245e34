"""Jinja2 templates: one configured environment per package, HTML escaped, Markdown verbatim.

A package keeps its templates in its `templates/` folder (package data, so an installed felrisk
finds them too). The file name says what a template makes:

- `*.html.j2`, `*.svg.j2`: HTML. Every value is escaped, with the entities of `html.escape`
  (`&quot;`, `&#x27;`): a page's bytes are pinned by the night's manifest, and `felrisk reproduce`
  compares them. A line break and the next line's indentation are layout for the reader only and
  are removed, so the page keeps the bytes it had before templates: keep a Jinja tag, and text
  that needs its spaces, on one line.
- `*.md.j2`: Markdown, rendered as written; no escaping, since Markdown is not HTML.
- anything else (`*.css`, `*.js`): included verbatim.

Undefined names are errors (StrictUndefined): a misspelt field fails the render, never blanks it.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.ext import Extension
from jinja2.nodes import EvalContext
from markupsafe import Markup

HTML_SUFFIXES = (".html.j2", ".svg.j2")
_LINE_BREAK = re.compile(r"\n[ \t]*")


class _JoinLines(Extension):
    """Joins an HTML template's lines before Jinja reads it (the page has no line breaks)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is not None and name.endswith(HTML_SUFFIXES):
            return _LINE_BREAK.sub("", source)
        return source


@pass_eval_context
def _finalize(ctx: EvalContext, value: Any) -> Any:
    """A value as `html.escape` writes it in an escaping template; markup we made stays markup.

    Jinja's own escaping (markupsafe) then writes the same `&amp;`, `&lt;` and `&gt;`; only
    quotes, which the two write differently, are escaped here; other values pass after two substring tests.
    """
    if not ctx.autoescape or hasattr(value, "__html__"):
        return value
    text = value if isinstance(value, str) else str(value)
    if '"' in text or "'" in text:
        return Markup(html.escape(text))
    return text


@cache
def environment(package: str) -> Environment:
    """The environment for `package`'s templates (its `templates/` folder)."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(
            enabled_extensions=tuple(s.lstrip(".") for s in HTML_SUFFIXES),
            disabled_extensions=("md.j2",),
            default=True,
        ),
        undefined=StrictUndefined,
        finalize=_finalize,
        extensions=[_JoinLines],
        keep_trailing_newline=True,
        auto_reload=False,
    )


def render(package: str, template: str, /, **context: Any) -> str:
    """Template `template` of `package` rendered with `context`, as a plain string."""
    return environment(package).get_template(template).render(**context)


def macros(package: str, template: str) -> Any:
    """The macros of `template` (a file of macros only), callable from Python."""
    return environment(package).get_template(template).module
