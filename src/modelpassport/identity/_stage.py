"""The identity stage: who made the model, from its files (or its provider, when hosted)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from pydantic import Field

from modelpassport.catalog import load_catalog
from modelpassport.passport import StageName
from modelpassport.passport.sections.identity import IdentitySection
from modelpassport.stages import Needs, StageContext, StageOptions

from ._identify import IdentifyOptions, identify_artifacts, identify_hosted
from ._lineage import DEFAULT_SAMPLE


class IdentityOptions(StageOptions):
    """``--option identity.KEY=VALUE`` settings."""

    lineage: bool = Field(
        default=True, description="compare embedding structure with reference models (on/off)"
    )
    sample: int = Field(
        default=DEFAULT_SAMPLE, ge=16, le=4096, description="shared tokens compared for lineage"
    )


class IdentityStage:
    """Declared identity beside detected family, developer, country and weight lineage."""

    name: StageName = "identity"
    needs: Needs = "any"
    method_version = "1.1.0"
    options_model = IdentityOptions

    async def run(self, ctx: StageContext) -> IdentitySection:
        """Read the subject's files in a worker thread (parsing is CPU-bound, up to ~1 s)."""
        settings = ctx.settings("identity", IdentityOptions)
        catalog = load_catalog()
        if ctx.artifacts is not None:
            opts = IdentifyOptions(settings.lineage, settings.sample, ctx.options.references)
            return await asyncio.to_thread(identify_artifacts, ctx.artifacts, catalog, opts)
        if ctx.target is not None:
            ident = ctx.target.identity
            host = urlsplit(ident.endpoint or "").hostname or ident.provider
            return identify_hosted(ident.model, host, catalog)
        return IdentitySection(status="skipped", reason=f"{ctx.ref} has neither files nor a target")
