"""One clock for the incident: the merged timeline and what is read off it.

``build_timeline`` merges every source into one frame (:mod:`.events`), estimates each
source's clock offset (:mod:`.skew`) and corrects the clear ones. From that frame come the
per-VM stories (:mod:`.stitching`), the incident window (:mod:`.incident`), the burst
figures (:mod:`.burst`) and the chart series (:mod:`.series`); :mod:`.document` puts them
into ``analysis.json``. Nothing here reads a file or renders words.
"""

from analyzer.timeline.core import Timeline, build_timeline

__all__ = ["Timeline", "build_timeline"]
