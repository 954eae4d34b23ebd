"""Turning screening results into what people read: the JSON contract, tables, explanations."""

from visadesk.report.contract import ResultRenderer, result_document
from visadesk.report.summary import Summary, summarize

__all__ = ["ResultRenderer", "Summary", "result_document", "summarize"]
