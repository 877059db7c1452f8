"""Collectors: the only code that reads live systems. Each writes evidence documents.

Collector modules register themselves in :data:`auditor.collect.base.COLLECTORS`
when :func:`load_collectors` imports them; nothing is imported at package import.
"""

from auditor.collect.base import COLLECTORS, Collector, CollectorError, Document, load_collectors, write_document

__all__ = ["COLLECTORS", "Collector", "CollectorError", "Document", "load_collectors", "write_document"]
