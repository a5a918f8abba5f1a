"""The personal-data gate: scan every value about to be published; any finding fails the build.

`scan_frame` returns a `ScanReport` (not a bare list): iterate it for the `Finding`s (at most `limit` per column
and kind), read `counts` for every hit, and publish only when `report.ok`.
"""

from scripts.build.gate.allow import AllowRule
from scripts.build.gate.findings import Finding, ScanReport, mask
from scripts.build.gate.scan import LIMIT, scan_frame

__all__ = ["LIMIT", "AllowRule", "Finding", "ScanReport", "mask", "scan_frame"]
