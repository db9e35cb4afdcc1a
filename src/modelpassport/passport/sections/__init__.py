"""Section models, one module per stage; each stage owns its own module."""

from ._base import Section, SectionStatus
from .bench import BenchSection
from .capability import CapabilitySection
from .identity import IdentitySection
from .narratives import NarrativesSection
from .scan import ScanSection
from .security import SecuritySection

__all__ = [
    "BenchSection",
    "CapabilitySection",
    "IdentitySection",
    "NarrativesSection",
    "ScanSection",
    "Section",
    "SectionStatus",
    "SecuritySection",
]
