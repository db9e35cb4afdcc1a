"""Campaigns: audit a panel of models from one file and answer the buyer's question in one
decision table (HTML and Markdown)."""

from ._collect import collect
from ._execute import CampaignOutcome, execute_campaign
from ._file import Campaign, ModelEntry, Price, ReferenceEntry, load_campaign, parse_campaign
from ._references import CheckedReference, check_references
from ._render import render_table_html, render_table_markdown, write_table
from ._run import AuditResult, EventSink, run_campaign
from ._table import Candidate, DecisionTable, build_table

__all__ = [
    "AuditResult",
    "Campaign",
    "CampaignOutcome",
    "Candidate",
    "CheckedReference",
    "DecisionTable",
    "EventSink",
    "ModelEntry",
    "Price",
    "ReferenceEntry",
    "build_table",
    "check_references",
    "collect",
    "execute_campaign",
    "load_campaign",
    "parse_campaign",
    "render_table_html",
    "render_table_markdown",
    "run_campaign",
    "write_table",
]
