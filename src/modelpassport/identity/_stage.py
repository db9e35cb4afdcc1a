"""The identity stage: who made the model, from its files (or its provider, when hosted)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlsplit

from modelpassport.errors import InputError
from modelpassport.passport import StageName
from modelpassport.passport.sections.identity import IdentitySection
from modelpassport.stages import Needs, StageContext

from ._catalog import Catalog
from ._identify import IdentifyOptions, identify_artifacts, identify_hosted
from ._lineage import DEFAULT_SAMPLE

_OPTIONS = ("lineage", "sample")


def parse_options(raw: Mapping[str, str]) -> tuple[bool, int]:
    """``identity.lineage=on|off`` and ``identity.sample=N`` (16..4096)."""
    unknown = sorted(set(raw) - set(_OPTIONS))
    if unknown:
        raise InputError(
            "--option identity." + unknown[0],
            f"expected one of {', '.join('identity.' + o for o in _OPTIONS)}",
        )
    lineage_text = raw.get("lineage", "on").lower()
    if lineage_text not in ("on", "off"):
        raise InputError("--option identity.lineage", f"expected on or off, found {lineage_text}")
    try:
        sample = int(raw.get("sample", str(DEFAULT_SAMPLE)))
    except ValueError:
        sample = -1
    if not 16 <= sample <= 4096:
        raise InputError("--option identity.sample", "expected an integer from 16 to 4096")
    return lineage_text == "on", sample


class IdentityStage:
    """Declared identity beside detected family, developer, country and weight lineage."""

    name: StageName = "identity"
    needs: Needs = "any"
    method_version = "1.1.0"

    async def run(self, ctx: StageContext) -> IdentitySection:
        """Read the subject's files in a worker thread (parsing is CPU-bound, up to ~1 s)."""
        lineage, sample = parse_options(ctx.options.for_stage("identity"))
        catalog = Catalog.load()
        if ctx.artifacts is not None:
            opts = IdentifyOptions(lineage, sample, ctx.options.references)
            return await asyncio.to_thread(identify_artifacts, ctx.artifacts, catalog, opts)
        if ctx.target is not None:
            ident = ctx.target.identity
            host = urlsplit(ident.endpoint or "").hostname or ident.provider
            return identify_hosted(ident.model, host, catalog)
        return IdentitySection(status="skipped", reason=f"{ctx.ref} has neither files nor a target")
