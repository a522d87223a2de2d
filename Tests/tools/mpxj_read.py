"""Reads MS Project XML files with MPXJ (PyPI `mpxj`, on a Java runtime) and prints what it
found, one JSON object per file and line, for PMQ's tests (TransferTests.swift, "MPXJ") to
compare with PMQ's own reading of the same project.

    python3 Tests/tools/mpxj_read.py F.xml [G.xml ...]

Each object: {"file", "title", "tasks": [[outline, name, level, start, finish, milestone,
[[pred outline, type, lag in days (elapsed: "2ed")], ...]], ...], "resources": [[name, max units, generic,
leave days], ...], "assignments": [[task outline, resource, units], ...], "holidays": [...],
"workdays": [...], "constraints": [[outline, type, date], ...], "work": [[outline, hours], ...],
"costs": [[outline, cost], ...], "baseline_costs": [[outline, cost], ...]} (in currency units: MSPDI
writes hundredths, which MPXJ divides by 100).
Dates are ISO days; MPXJ's own reading, nothing taken from PMQ.
"""
import json
import sys

import jpype
import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

jpype.startJVM()

from java.time import DayOfWeek  # noqa: E402
from org.mpxj import TimeUnit  # noqa: E402
from org.mpxj.reader import UniversalProjectReader  # noqa: E402


def flag(b):
    """Booleans as text, so a reader does not mistake them for numbers."""
    return "true" if b else "false"


def day(d):
    return None if d is None else str(d.toLocalDate())


ELAPSED_DAYS = {"ELAPSED_MINUTES": 1 / 1440, "ELAPSED_HOURS": 1 / 24, "ELAPSED_DAYS": 1, "ELAPSED_WEEKS": 7}


def lag_days(lag, project):
    """Working time in days (a number); elapsed time as text, its calendar days and `ed`
    (MS Project's elapsed days, PMQ's `lag_unit` d)."""
    if lag is None:
        return 0.0
    unit = str(lag.getUnits().name())
    if unit in ELAPSED_DAYS:
        return "%ged" % round(float(lag.getDuration()) * ELAPSED_DAYS[unit], 2)
    return round(float(lag.convertUnits(TimeUnit.DAYS, project.getProjectProperties()).getDuration()), 2)


def exceptions(calendar, working):
    days = []
    if calendar is None:
        return days
    # Expanded: a recurring exception ("every Monday of January") counts the days it names.
    for e in calendar.getExpandedCalendarExceptions():
        if bool(e.getWorking()) != working:
            continue
        d = e.getFromDate()
        while not d.isAfter(e.getToDate()):
            days.append(str(d))
            d = d.plusDays(1)
    return sorted(set(days))


def read(path):
    project = UniversalProjectReader().read(path)
    props = project.getProjectProperties()
    out = {"file": path, "title": str(props.getProjectTitle() or ""), "tasks": [], "constraints": [], "work": [],
           "costs": [], "baseline_costs": []}
    for t in project.getTasks():
        if t.getUniqueID() == 0 or t.getNull():
            continue
        links = [[str(r.getPredecessorTask().getOutlineNumber()), str(r.getType()), lag_days(r.getLag(), project)]
                 for r in t.getPredecessors()]
        out["tasks"].append([str(t.getOutlineNumber()), str(t.getName() or ""), int(t.getOutlineLevel()),
                             day(t.getStart()), day(t.getFinish()), flag(t.getMilestone()), sorted(links)])
        c = t.getConstraintType()
        if c is not None and str(c) != "AS_SOON_AS_POSSIBLE":
            out["constraints"].append([str(t.getOutlineNumber()), str(c), day(t.getConstraintDate())])
        w = t.getWork()
        if w is not None and float(w.getDuration()) > 0:
            out["work"].append([str(t.getOutlineNumber()),
                                round(float(w.convertUnits(TimeUnit.HOURS, props).getDuration()), 2)])
        for key, value in (("costs", t.getCost()), ("baseline_costs", t.getBaselineCost())):
            if value is not None and float(value) != 0:
                out[key].append([str(t.getOutlineNumber()), round(float(value), 2)])
    out["resources"] = []
    for r in project.getResources():
        if r.getUniqueID() == 0 or not r.getName():
            continue
        units = r.getMaxUnits()
        own = r.getCalendar()
        leave = exceptions(own, False) if own is not None and own.getParent() is not None else []
        out["resources"].append([str(r.getName()), None if units is None else round(float(units) / 100, 4),
                                 flag(r.getGeneric()), leave])
    out["assignments"] = sorted(
        [[str(a.getTask().getOutlineNumber()), str(a.getResource().getName()), None if a.getUnits() is None else round(float(a.getUnits()) / 100, 4)]
         for a in project.getResourceAssignments() if a.getTask() is not None and a.getResource() is not None])
    base = project.getDefaultCalendar()
    out["holidays"] = [d for d in exceptions(base, False)]
    out["workdays"] = [d for d in exceptions(base, True)]
    return out


for p in sys.argv[1:]:
    print(json.dumps(read(p), ensure_ascii=False))
