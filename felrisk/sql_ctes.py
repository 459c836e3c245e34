"""Ibis 12 computes a subquery once per join that reads it at the same place: this makes it one CTE.

Ibis wraps each table of a join in `JoinReference(table, position)`. A table that two joins read
at the same position (both as their first table, say) gets one and the same wrapper, so to Ibis's
CTE extraction (`ibis.backends.sql.rewrites.extract_ctes`, which makes a CTE of a subquery with
more than one user) it has a single user, and the compiled SQL holds the subquery twice. DuckDB
computes both copies. The feature query held five (the employers behind a person's pay and behind
the SGI, the months of the SE/AE and full-benefit checks, the AKS activity reports), each a join
or a window over the persons' income or payments; the rule engine's `_other_case` had three more.

`install()` counts each join that reads a subquery as one of its users, and makes a CTE of every
subquery with more than one. Same rows, fewer passes; Spark's SQL takes CTEs as DuckDB does. Only for Ibis 12 (pyproject pins it): another version is left as is.
"""

from __future__ import annotations

import ibis
import ibis.expr.operations as ops
from ibis.backends.sql import rewrites
from ibis.common.graph import Graph
from ibis.common.patterns import InstanceOf

# Ibis 12's own choice in extract_ctes: which nodes are not users of a relation.
_NOT_COUNTED = (ops.Field, ops.CountStar, ops.CountDistinctStar)
# Read where they are: a table or a view of the database, and the join wrappers themselves.
_NEVER_CTE = (ops.PhysicalTable, ops.Reference)
_ibis_extract_ctes = rewrites.extract_ctes


def extract_ctes(node: ops.Relation) -> set[ops.Relation]:
    """Ibis's CTEs of `node`, plus every subquery with more than one user once each join that
    reads it counts as a user (through the wrapper the joins share)."""
    ctes = set(_ibis_extract_ctes(node))
    users = Graph.from_bfs(node, filter=~InstanceOf(_NOT_COUNTED)).invert()
    for op, dependents in users.items():
        if not isinstance(op, ops.Relation) or isinstance(op, _NEVER_CTE):
            continue
        n = sum(len(users[d]) if isinstance(d, ops.JoinReference) else 1 for d in dependents)
        if n > 1:
            ctes.add(op)
    return ctes


def install() -> bool:
    """Make Ibis's SQL compilers use `extract_ctes` (idempotent); False on an Ibis other than 12."""
    if not ibis.__version__.startswith("12."):
        return False
    rewrites.extract_ctes = extract_ctes
    return True
