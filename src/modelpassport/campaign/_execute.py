"""A whole campaign: check the inputs, audit what is not done, write the decision table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelpassport.policy import load_policy

from ._collect import collect
from ._file import Campaign
from ._references import check_references
from ._render import write_table
from ._run import AuditResult, EventSink, run_campaign
from ._table import build_table


@dataclass(frozen=True)
class CampaignOutcome:
    """What a campaign run produced."""

    results: list[AuditResult]
    html: Path
    markdown: Path

    @property
    def complete(self) -> bool:
        """True when every model's audit finished with no stage or request error."""
        return all(r.status == "complete" for r in self.results)


async def execute_campaign(
    campaign: Campaign, out_dir: Path, *, fresh: bool = False, on_event: EventSink | None = None
) -> CampaignOutcome:
    """Run the campaign into ``out_dir`` and write decision.html and decision.md there.

    The policy and every reference passport (and its signature) are checked before any audit
    starts, so a broken input fails at once instead of after hours of requests.
    """
    policy = load_policy(campaign.policy) if campaign.policy is not None else None
    references = check_references(campaign)
    results = await run_campaign(campaign, out_dir, fresh=fresh, on_event=on_event)
    candidates = collect(results, [m.price for m in campaign.models], references, policy)
    table = build_table(campaign.title, candidates, policy.name if policy else None)
    html, markdown = write_table(table, out_dir)
    return CampaignOutcome(results, html, markdown)
