"""The typed ``analysis.json`` document (schema ``pcd-analysis/1``).

One set of types for the producers (``analyzer.analysis`` and the modules it calls build
them), the serializer (:func:`to_json`), the reports (they read the document back with
:func:`from_json`) and the JSON Schema in ``docs/analysis-schema.json``, generated from
the same types (``python -m analyzer.document --schema``). Imports no pandas: the report
worker loads it before the analysis is done.
"""

from __future__ import annotations

from analyzer.document.base import JsonValue, Time
from analyzer.document.codec import from_builtins, from_json, json_schema, to_builtins, to_json
from analyzer.document.findings import (
    CounterEvidence,
    CounterRow,
    Evidence,
    Finding,
    MissingSource,
    Symptom,
    Verdict,
)
from analyzer.document.recovery import (
    Cleanup,
    CleanupVm,
    Escalation,
    NextSteps,
    Prevention,
    Recovery,
    ServiceState,
    Step,
    StuckVm,
    TimeRange,
)
from analyzer.document.root import (
    SCHEMA,
    AnalysisDocument,
    BundleEntry,
    Counts,
    FailedCollection,
    Generator,
    Problem,
)
from analyzer.document.routine import RoutineMessage, RoutineMessages
from analyzer.document.timeline import (
    Action,
    Burst,
    Charts,
    ClockOffset,
    EarlierIncident,
    Incident,
    IncidentEvent,
    KeyEvent,
    Lane,
    Marker,
    OffsetPair,
    PairedEvent,
    StoryEvent,
    VmStory,
)

__all__ = [
    "SCHEMA",
    "Action",
    "AnalysisDocument",
    "BundleEntry",
    "Burst",
    "Charts",
    "Cleanup",
    "CleanupVm",
    "ClockOffset",
    "CounterEvidence",
    "CounterRow",
    "Counts",
    "EarlierIncident",
    "Escalation",
    "Evidence",
    "FailedCollection",
    "Finding",
    "Generator",
    "Incident",
    "IncidentEvent",
    "JsonValue",
    "KeyEvent",
    "Lane",
    "Marker",
    "MissingSource",
    "NextSteps",
    "OffsetPair",
    "PairedEvent",
    "Prevention",
    "Problem",
    "Recovery",
    "RoutineMessage",
    "RoutineMessages",
    "ServiceState",
    "Step",
    "StoryEvent",
    "StuckVm",
    "Symptom",
    "Time",
    "TimeRange",
    "Verdict",
    "VmStory",
    "from_builtins",
    "from_json",
    "json_schema",
    "to_builtins",
    "to_json",
]
