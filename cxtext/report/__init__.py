"""What people look at: the answers behind the API and the dashboard
(:mod:`cxtext.report.answers`), the dashboard page (:mod:`cxtext.report.page`) and the
self-contained HTML report (:mod:`cxtext.report.build`)."""

from cxtext.report.build import ReportSummary, build_report
from cxtext.report.page import answer_key, asset_path, live_page

__all__ = ["ReportSummary", "answer_key", "asset_path", "build_report", "live_page"]
