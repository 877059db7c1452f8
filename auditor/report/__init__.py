"""Outputs and reports rendered from results: machine formats and PDFs.

Each format registers itself in :data:`FORMATS` from its own module
(``junit.py``, ``sarif.py``, ``markdown.py``, ``oscal.py``, ``pdf_*.py`` ...).
"""

from __future__ import annotations

from auditor.registry import Registry

#: name -> renderer class; see each module's docstring for its contract.
FORMATS: Registry[type] = Registry("output format")
