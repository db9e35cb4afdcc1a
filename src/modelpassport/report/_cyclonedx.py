"""A CycloneDX 1.6 ML-BOM: the model as a component, its files with hashes, its licence,
lineage (pedigree), a model card with every headline fact, and every section's issues as
vulnerabilities.

cyclonedx-python-lib builds and serialises everything except ``modelCard``, which it does
not model; the card is added to the serialised component. ``validate=True`` checks the
whole document against the 1.6 JSON schema with the library's own strict validator (the
tests always do; it is optional at run time because loading the validator's format
checkers costs seconds).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from modelpassport._files import write_atomic
from modelpassport._version import __version__
from modelpassport.errors import MissingExtraError
from modelpassport.passport import Issue, Passport

MODEL_REF = "model"
# A detected developer is named as the BOM's manufacturer only when identity is this sure.
MIN_MANUFACTURER_CONFIDENCE = 0.5
_NAMESPACE = uuid.UUID("6f1c3f0e-3d1a-4c59-9a57-5b3b1e0c7a11")


def _model_card(passport: Passport) -> dict[str, Any]:
    identity, scan = passport.findings.identity, passport.findings.scan
    card: dict[str, Any] = {"bom-ref": f"{MODEL_REF}-card"}
    parameters: dict[str, Any] = {}
    if identity.status == "ok":
        if identity.declared.architecture:
            parameters["modelArchitecture"] = identity.declared.architecture
        family = identity.detected.family.value if identity.detected else None
        if family or identity.declared.family:
            parameters["architectureFamily"] = family or identity.declared.family
    if parameters:
        card["modelParameters"] = parameters
    limitations = [f"load safety: {scan.summary()}"] if scan.status == "ok" else []
    limitations += [f.message for f in scan.findings if f.severity in ("critical", "high")][:20]
    if limitations:
        card["considerations"] = {"technicalLimitations": limitations}
    card["properties"] = [
        {"name": f"modelpassport:{name}:summary", "value": section.summary() or section.status}
        for name, section in passport.findings.sections()
    ] + [
        {"name": f"modelpassport:fact:{fact.id}", "value": fact.text()}
        for fact in passport.findings.facts()
        if not fact.missing
    ]
    return card


def _licences(passport: Passport) -> list[Any]:
    from cyclonedx.model.license import DisjunctiveLicense

    identity = passport.findings.identity
    if identity.status != "ok":
        return []
    detected = identity.detected.licence if identity.detected else None
    if detected is not None:
        if detected.spdx:
            return [DisjunctiveLicense(id=detected.id)]
        return [DisjunctiveLicense(name=detected.name)]
    if identity.declared.licence:
        return [DisjunctiveLicense(name=identity.declared.licence)]
    return []


def _ancestors(passport: Passport) -> list[Any]:
    from cyclonedx.model.component import Component, ComponentType

    identity = passport.findings.identity
    if identity.status != "ok":
        return []
    names = set(identity.declared.base_models)
    names |= {
        m.reference_family or m.reference for m in identity.lineage if m.verdict == "same_lineage"
    }
    return [
        Component(name=name, type=ComponentType.MACHINE_LEARNING_MODEL, bom_ref=f"ancestor-{i}")
        for i, name in enumerate(sorted(names))
    ]


def _manufacturer(passport: Passport) -> Any:
    from cyclonedx.model.contact import OrganizationalEntity

    identity = passport.findings.identity
    if identity.status != "ok" or identity.detected is None:
        return None
    developer = identity.detected.developer
    if not developer.value or developer.confidence < MIN_MANUFACTURER_CONFIDENCE:
        return None
    return OrganizationalEntity(name=developer.value)


def _vulnerability(stage: str, finding: Issue, i: int) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityRating,
        VulnerabilitySeverity,
        VulnerabilitySource,
    )

    props = [
        Property(name="modelpassport:stage", value=stage),
        Property(name="modelpassport:file", value=finding.file or "."),
    ]
    if finding.location:
        props.append(Property(name="modelpassport:location", value=finding.location))
    if finding.evidence:
        props.append(Property(name="modelpassport:evidence", value=finding.evidence))
    return Vulnerability(
        bom_ref=f"finding-{i}",
        id=finding.rule_id,
        source=VulnerabilitySource(name="modelpassport"),
        ratings=[VulnerabilityRating(severity=VulnerabilitySeverity(finding.severity))],
        description=finding.message,
        affects=[BomTarget(ref=MODEL_REF)],
        properties=props,
    )


def build_cyclonedx(passport: Passport, *, validate: bool = False) -> dict[str, Any]:
    """The ML-BOM for a passport, as a validated CycloneDX 1.6 JSON document.

    Why: supply-chain tooling ingests CycloneDX; the model card, hashes and findings
    travel with the model into those inventories.

    Raises:
        MissingExtraError: cyclonedx-python-lib is not installed.
        ValueError: ``validate`` is set and the document does not match the schema.
    """
    try:
        from cyclonedx.model import HashAlgorithm, HashType, Property
        from cyclonedx.model.bom import Bom, BomMetaData
        from cyclonedx.model.component import Component, ComponentType, Pedigree
        from cyclonedx.output import make_outputter
        from cyclonedx.schema import OutputFormat, SchemaVersion
    except ImportError:
        raise MissingExtraError("the CycloneDX ML-BOM", "cyclonedx-python-lib", "scan") from None

    scan = passport.findings.scan
    files = [
        Component(
            name=f.path,
            type=ComponentType.FILE,
            bom_ref=f"file-{i}",
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=f.sha256)],
            properties=[
                Property(name="modelpassport:size", value=str(f.size)),
                Property(name="modelpassport:format", value=f.format),
            ],
        )
        for i, f in enumerate(scan.files)
    ]
    ancestors = _ancestors(passport)
    identity = passport.findings.identity
    name = (identity.declared.name if identity.status == "ok" else None) or passport.subject.ref
    model = Component(
        name=name,
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=MODEL_REF,
        licenses=_licences(passport),
        components=files,
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        manufacturer=_manufacturer(passport),
        properties=[
            Property(name="modelpassport:scan:verdict", value=str(scan.verdict)),
            Property(name="modelpassport:findings_digest", value=passport.findings_digest),
        ],
    )
    tool = Component(name="modelpassport", version=__version__, type=ComponentType.APPLICATION)
    bom = Bom(
        serial_number=uuid.uuid5(_NAMESPACE, passport.findings_digest),
        metadata=BomMetaData(
            component=model, tools=[], timestamp=datetime.fromisoformat(passport.run.finished_at)
        ),
        vulnerabilities=[
            _vulnerability(stage, f, i)
            for i, (stage, f) in enumerate(passport.findings.issues())
            if f.severity != "info"
        ],
    )
    bom.metadata.tools.components.add(tool)
    text = make_outputter(bom, OutputFormat.JSON, SchemaVersion.V1_6).output_as_string()
    doc: dict[str, Any] = json.loads(text)
    doc["metadata"]["component"]["modelCard"] = _model_card(passport)
    if validate:
        from cyclonedx.validation.json import JsonStrictValidator

        error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
        if error is not None:
            raise ValueError(f"CycloneDX document failed schema validation: {error}")
    return doc


def write_cyclonedx(passport: Passport, path: Path, *, validate: bool = False) -> None:
    """Write ``bom.cdx.json`` (UTF-8, keys sorted, atomic replace)."""
    doc = build_cyclonedx(passport, validate=validate)
    write_atomic(path, json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
