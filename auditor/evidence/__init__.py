"""Evidence: loading documents, validating them against JSON Schema, redaction."""

from auditor.evidence.load import EvidenceSet, load_evidence
from auditor.evidence.schemas import SchemaSet

__all__ = ["EvidenceSet", "SchemaSet", "load_evidence"]
