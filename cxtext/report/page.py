"""The dashboard page, served live by the API or written as a self-contained HTML report.

Both are one page (``assets/page.html``) and one script (``assets/dashboard.js``) that
draws with Plotly (the ``plotly`` package's ``plotly.min.js``, served or inlined, never
fetched from a CDN). Live, the script asks the ``/v1`` API; in a report, it reads the
answers the report carries, computed by :mod:`cxtext.report.answers` for the same
requests, so the two never disagree.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

ASSETS = ("dashboard.js", "dashboard.css")


def asset_path(name: str) -> Path:
    """The file of a page asset: ``dashboard.js``, ``dashboard.css`` or ``plotly.min.js``."""
    if name == "plotly.min.js":
        return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if name not in ASSETS:
        raise KeyError(name)
    return Path(str(resources.files("cxtext.report") / "assets" / name))


def answer_key(path: str, params: Mapping[str, Any]) -> str:
    """The key of an answer in a report, as ``dashboard.js`` builds it: the path and the
    non-empty parameters as strings, sorted by name."""
    entries = sorted((k, str(v)) for k, v in params.items() if v is not None and v != "")
    return json.dumps([path, [list(e) for e in entries]], ensure_ascii=False, separators=(",", ":"))


def _template() -> Template:
    return Template((resources.files("cxtext.report") / "assets" / "page.html").read_text("utf-8"))


def live_page(assets_url: str) -> str:
    """The dashboard page of the API: scripts and styles from ``assets_url``."""
    return _template().substitute(
        title="cxtext dashboard",
        subtitle="",
        styles=f'<link rel="stylesheet" href="{assets_url}/dashboard.css">',
        methods="",
        scripts="\n".join(
            f'<script src="{assets_url}/{name}"></script>'
            for name in ("plotly.min.js", "dashboard.js")
        ),
    )


def _inline_script(text: str) -> str:
    # "</" would end the element early; "<\/" means the same inside JS strings and regexes.
    return "<script>" + text.replace("</", "<\\/") + "</script>"


def report_page(*, title: str, subtitle: str, data: Mapping[str, Any], methods: str) -> str:
    """A self-contained report page: styles, Plotly, the script and ``data`` (the answers
    and settings ``dashboard.js`` reads as ``window.CXTEXT_REPORT``) inlined."""
    payload = json.dumps(data, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c")
    return _template().substitute(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        styles="<style>" + asset_path("dashboard.css").read_text("utf-8") + "</style>",
        methods=methods,
        scripts="\n".join(
            [
                f"<script>window.CXTEXT_REPORT = {payload};</script>",
                _inline_script(asset_path("plotly.min.js").read_text("utf-8")),
                _inline_script(asset_path("dashboard.js").read_text("utf-8")),
            ]
        ),
    )
