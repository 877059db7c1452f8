"""Auditor: compliance-as-code controls and audit engine.

The package reads like the pipeline: ``collect`` -> ``evidence`` -> ``evaluate``
(through an ``engine``) -> ``pack`` -> ``report``; ``cli`` drives it.
"""

__version__ = "0.1.0"
