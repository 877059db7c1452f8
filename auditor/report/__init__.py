"""Outputs and reports rendered from results: machine formats and PDFs.

Each format registers itself in :data:`FORMATS` from its own module
(``junit.py``, ``sarif.py``, ``markdown.py``, ``oscal.py``, ``pdf_*.py`` ...).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.registry import Registry

if TYPE_CHECKING:
    from auditor.results_model import Results


class Format(ABC):
    """An output format rendered from a run's results (``--format NAME[=PATH]``).

    A subclass registers with ``@FORMATS.register("name")`` (which sets ``name``), says where its file
    goes by default, and documents itself in its docstring: the first paragraph is its ``--format`` help.
    """

    name: ClassVar[str]
    #: file name beside results.json when ``--format NAME`` gives no path
    default_filename: ClassVar[str]

    @abstractmethod
    def render(self, results: Results | dict[str, Any]) -> bytes:
        """The format's bytes for a run's results (:class:`auditor.results_model.Results`; a results
        document is accepted too, and checked)."""


#: name -> renderer class; see each module's docstring for its contract.
FORMATS: Registry[type[Format]] = Registry("output format", group="auditor.formats")
