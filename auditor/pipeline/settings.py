"""Typed settings of a run: plain dataclasses, no click (the CLI builds them from its options).

:class:`Sources` says where the control library comes from, :class:`EvaluationOptions` how it is
evaluated, :class:`CheckOptions` what a run is judged against (waivers, a baseline, only changed
controls) and which output formats it writes, :class:`PackOptions` how its pack is signed and kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.model import DEFAULT_FAIL_ON

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.layers import LibraryStack
    from auditor.mappings import MappingSet
    from auditor.policies import PolicySet
    from auditor.report.outputs import FormatRequest


@dataclass
class Sources:
    """Where the control library comes from: the bundled library and any layers over it.

    See :func:`auditor.layers.resolve_stack` for the defaults (``--library``, ``./auditor.yaml``,
    a repository's own ``./controls``) and docs/layering.md.
    """

    controls: Path | None = None
    policies: Path | None = None
    params: Path | None = None
    mappings: Path | None = None
    libraries: tuple[Path, ...] = ()
    #: a profile of controls/profiles.yaml (``ci``): controls outside it are not evaluated
    profile: str | None = None
    _stack: LibraryStack | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of_stack(cls, stack: LibraryStack, params: Path | None = None, profile: str | None = None) -> Sources:
        """Sources for a stack already built (a pack's library, :mod:`auditor.pack.replay`), not resolved
        from flags and the working directory."""
        sources = cls(params=params, profile=profile)
        sources._stack = stack
        return sources

    def stack(self) -> LibraryStack:
        if self._stack is None:
            from auditor.layers import resolve_stack

            self._stack = resolve_stack(self.controls, self.policies, self.mappings, self.libraries)
        return self._stack

    def library(self) -> ControlLibrary:
        library = self.stack().library(self.params)
        if self.profile:
            from auditor.profiles import apply_profile, stack_profiles

            library = apply_profile(library, stack_profiles(self.stack()), self.profile)
        return library

    def policy_set(self) -> PolicySet:
        return self.stack().policy_set()

    def mapping_set(self, library: ControlLibrary | None) -> MappingSet | None:
        """The mappings of every layer, cross-checked against ``library``; ``None`` when there are none."""
        return self.stack().mapping_set(library)


@dataclass
class EvaluationOptions:
    fail_on: str = DEFAULT_FAIL_ON
    engine: str = "regorus"
    as_of: str | None = None
    schemas: tuple[Path, ...] = ()
    engine_options: dict[str, Any] = field(default_factory=dict)
    redact_secrets: bool = False
    #: worker processes (None: one per available core); per-control limits; earlier results for the schedule
    jobs: int | None = None
    control_timeout: int = 60
    control_memory: int = 2048
    schedule_from: Path | None = None

    def worker_options(self) -> dict[str, Any]:
        """``evaluate()``'s keyword arguments for the workers: jobs, limits and the schedule's durations."""
        from auditor.evaluate import durations_from
        from auditor.workers import Limits

        return {
            "jobs": self.jobs,
            "limits": Limits(self.control_timeout, self.control_memory),
            "durations": durations_from(self.schedule_from) if self.schedule_from else None,
        }


@dataclass
class CheckOptions:
    """What the results are judged against and which formats are written beside results.json.

    ``waivers``: a waivers file (``auditor.waivers``); ``baseline``: a baseline or an earlier
    results.json (only violations absent from it fail); ``changed_only``/``base``: evaluate only
    the controls a change touched. Waivers and the baseline both go into the evaluation.
    """

    formats: tuple[FormatRequest, ...] = ()
    waivers: Path | None = None
    baseline: Path | None = None
    changed_only: bool = False
    base: str | None = None


@dataclass
class PackOptions:
    """How the pack is signed (``key`` file or ``kms_key_id``; neither: the development key where
    allowed) and where it is kept (an evidence ``locker``, an ``s3`` Object Lock copy)."""

    key: Path | None = None
    kms_key_id: str | None = None
    passphrase_env: str | None = None
    locker: Path | None = None
    s3: str | None = None
    s3_retention_mode: str = "COMPLIANCE"
    s3_retention_days: int = 365
    pack: bool = True

    @property
    def development(self) -> bool:
        """Whether the pack will be signed with the local development key (no key given)."""
        return self.key is None and self.kms_key_id is None
