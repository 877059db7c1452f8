"""Framework catalogs and control-to-clause mappings.

``mappings/frameworks/<framework>.yaml`` is a catalog (clauses with ids, titles
and the grouping the framework uses); ``mappings/<framework>.yaml`` maps controls
to those clauses with a strength and a rationale. Adding a framework is data:
drop in one catalog and one mapping file.
"""

from auditor.mappings.load import Catalog, Clause, Group, MappedClause, MappingSet, load_mappings

__all__ = ["Catalog", "Clause", "Group", "MappedClause", "MappingSet", "load_mappings"]
