"""Scheduling: posting slots, conflict warnings, iCalendar and CSV in and out.

Pure functions over domain objects; no storage and no Qt. The scheduling
service (which also enforces that only approved versions are scheduled)
reads the workspace and calls these.
"""

from curator.schedule.conflicts import ScheduleWarning, WarningKind, check_post
from curator.schedule.csv_io import (
    CsvExport,
    CsvExportError,
    CsvPreview,
    CsvProblem,
    CsvRow,
    ExportNote,
    export_buffer_csv,
    export_hootsuite_csv,
    preview_schedule_csv,
)
from curator.schedule.ics import IcsWriteError, calendar_ics, write_live_ics
from curator.schedule.slots import (
    InvalidTimeOfDay,
    ScheduleError,
    local_to_utc,
    next_free_slot,
    occurrences,
    parse_hhmm,
)

__all__ = [
    "CsvExport",
    "CsvExportError",
    "CsvPreview",
    "CsvProblem",
    "CsvRow",
    "ExportNote",
    "IcsWriteError",
    "InvalidTimeOfDay",
    "ScheduleError",
    "ScheduleWarning",
    "WarningKind",
    "calendar_ics",
    "check_post",
    "export_buffer_csv",
    "export_hootsuite_csv",
    "local_to_utc",
    "next_free_slot",
    "occurrences",
    "parse_hhmm",
    "preview_schedule_csv",
    "write_live_ics",
]
