"""``analyze compare BEFORE AFTER``: did the recovery work?

Both sides are analysed as ``analyze`` analyses bundles (:mod:`analyzer.compare.sides`);
the comparison reads the two typed documents, and the frames and timelines where it needs
rows (servers, pods, client log lines), never raw text diffs. Modules, one concern each:
``document`` (the typed ``compare.json``, schema ``pcd-compare/1``), ``broker`` (the fix
and whether the broker crashed again), ``items`` (stuck VMs, clients, creates, services,
findings), ``outcome`` (mismatched pairs and the decision), ``packet`` (the escalation),
``build`` (all of it into one document). Documented in ``docs/compare.md``.
"""

from analyzer.compare.build import compare
from analyzer.compare.document import SCHEMA, CompareDocument, Outcome
from analyzer.compare.sides import Analysed, analyse_side

__all__ = ["SCHEMA", "Analysed", "CompareDocument", "Outcome", "analyse_side", "compare"]
