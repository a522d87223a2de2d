import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a Microsoft Project XML file (MSPDI): the project, its tasks with their WBS
/// (outline numbers), milestones, predecessor links with type and lag, the calendars'
/// exceptions (the project calendar's as holidays and make-up days, a resource calendar's
/// as that person's leave), resources as people, and assignments.
struct MSProjectFile {
    /// Where an element starts in the file: its line and column (1-based), for errors.
    struct Place { var line = 0, column = 0 }
    struct Task {
        /// Where the task and each of its elements (by name) are in the file.
        var place = Place(), places: [String: Place] = [:]
        var outlineLevel: Int?
        var uid = 0, name = "", outline = "", start: Day?, finish: Day?
        var milestone = false, summary = false, isNull = false, percent = 0.0, cost: Double?
        /// The finish's time of day, "17:00:00" (empty when there is none).
        var finishTime = ""
        var actualStart: Day?, actualFinish: Day?
        /// `<Work>` in hours (PMQ's effort).
        var work: Double?
        /// `<Duration>` in hours (a percent lag is a share of its predecessor's).
        var durationHours: Double?
        /// `<Active>0</Active>`: Project 2010's inactive task (PMQ's cancelled).
        var active = true
        /// MSPDI ConstraintType: 0 ASAP, 1 ALAP, 2 MSO, 3 MFO, 4 SNET, 5 SNLT, 6 FNET, 7 FNLT.
        var constraintType = 0, constraintDate: Day?
        var baselineStart: Day?, baselineFinish: Day?, baselineCost: Double?
        /// MS Project's 0–1000 scale (500 is medium).
        var priority: Int?
        var notes = ""
        var links: [Link] = []
        // MS Project's own results, kept for comparison.
        var earlyStart: Day?, lateStart: Day?, totalSlack: Int?, critical: Bool?
    }
    /// A predecessor link; `crossProject`: a link to a task of another file (`<CrossProject>1`).
    /// `format`: `LagFormat` (19 and 20 are a percent of the predecessor's duration, `lag` then in tenths of a percent).
    struct Link { var pred = 0, type = 1, lag = 0, format = 7, crossProject = false, place = Place() }
    struct Resource {
        var place = Place(), places: [String: Place] = [:]
        var uid = 0, name = "", isWork = true, rate: Double?, group = "", email = ""
        /// Max units (1 is a full day), the resource calendar, the account, generic, inactive.
        var maxUnits: Double?, calendar: Int?, account = "", generic = false, inactive = false
    }
    /// One exception of a calendar: days off, or working days.
    struct Exception { var from: Day, to: Day, working: Bool, name: String }
    struct Assignment { var task = 0, resource = 0, units = 1.0, place = Place(), places: [String: Place] = [:] }

    var name = "", title = "", company = "", manager = "", start: Day?
    /// When a working day starts (`DefaultStartTime`); a finish at or before it ends the day before.
    var dayStart = "08:00:00"
    /// A working day's length (`MinutesPerDay`, 480 when not given), for durations given in hours.
    var minutesPerDay = 480.0
    var isProject = false
    /// The project calendar's UID (`<CalendarUID>` of the project; 1 when not given).
    var calendarUID: Int?
    /// Each calendar's exceptions, by the calendar's UID.
    var exceptions: [Int: [Exception]] = [:]
    /// Each calendar's working week as written (`<WeekDay>` without dates): ISO weekday
    /// (1 Monday ... 7 Sunday) → whether it is a working day.
    var weekDays: [Int: [Int: Bool]] = [:]
    /// The UIDs of the base calendars (shared, like "Standard"; not one resource's own).
    var baseCalendars = Set<Int>()
    /// How many resources use each calendar: one resource's own calendar holds their leave.
    var calendarUsers: [Int: Int] {
        resources.reduce(into: [:]) { n, r in if let c = r.calendar { n[c, default: 0] += 1 } }
    }
    var tasks: [Task] = []
    var resources: [Resource] = []
    var assignments: [Assignment] = []

    /// The project calendar's days off (holidays) and its working weekend days (make-up
    /// days), with the names of their exceptions ("" when none).
    var holidays: [(day: Day, name: String)] { calendarDays(working: false) + weekDays(working: false) }
    var workdays: [(day: Day, name: String)] { (calendarDays(working: true) + weekDays(working: true)).filter { $0.day.isWeekend } }

    /// The plan's span: the project's start (else its first task's) to its last task's finish.
    var planSpan: (from: Day, to: Day)? {
        let starts = tasks.compactMap(\.start), finishes = tasks.compactMap(\.finish) + starts
        guard let from = ([start].compactMap { $0 } + starts).min(), let to = finishes.max(), to >= from, to.number - from.number < 20_000 else { return nil }
        return (from, to)
    }

    /// The week days the project calendar's working week differs on from PMQ's Monday–Friday,
    /// as ISO weekdays: the working days it has off and the weekend days it works.
    var weekDifferences: (off: [Int], on: [Int]) {
        let week = weekDays[calendarUID ?? 1] ?? [:]
        return (week.filter { !$0.value && $0.key <= 5 }.map(\.key).sorted(), week.filter { $0.value && $0.key >= 6 }.map(\.key).sorted())
    }

    /// A working week other than Monday–Friday, within the plan's span, as the days PMQ's
    /// calendar can hold: a working day it has off is a holiday, a weekend day it works a
    /// make-up day; an exception on the day wins (V9).
    private func weekDays(working: Bool) -> [(day: Day, name: String)] {
        let week = weekDays[calendarUID ?? 1] ?? [:]
        guard !week.isEmpty, let span = planSpan else { return [] }
        var excepted = Set<Int>()
        for e in exceptions[calendarUID ?? 1] ?? [] { for n in e.from.number...e.to.number { excepted.insert(n) } }
        var out: [(day: Day, name: String)] = []
        for n in span.from.number...span.to.number where !excepted.contains(n) {
            let d = Day(n)
            if let w = week[d.weekday], w == working, working == d.isWeekend { out.append((d, "working week")) }
        }
        return out
    }

    private func calendarDays(working: Bool) -> [(day: Day, name: String)] {
        var seen = Set<Day>(), out: [(day: Day, name: String)] = []
        for e in exceptions[calendarUID ?? 1] ?? [] where e.working == working {
            for n in e.from.number...e.to.number where seen.insert(Day(n)).inserted { out.append((Day(n), e.name)) }
        }
        return out
    }

    /// Why a file is not MS Project XML, and where (1-based line and column; 1:1 when the
    /// XML is well formed but has no `<Project>`).
    struct Malformed: Error {
        var message: String
        var line: Int
        var column: Int
    }
    /// The file stops before `</Project>`.
    struct Truncated: Error { var place: Place }

    static func read(_ data: Data) throws -> MSProjectFile {
        let delegate = Reader()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        if !parser.parse() {
            let line = delegate.errorAt?.line ?? parser.lineNumber, column = delegate.errorAt?.column ?? parser.columnNumber
            let code = (parser.parserError as NSError?)?.code ?? 0
            throw Malformed(message: "not MS Project XML: the file is not well-formed XML (\(xmlProblem(code)))", line: max(1, line), column: max(1, column))
        }
        guard delegate.file.isProject else { throw Malformed(message: "not MS Project XML: there is no <Project> element", line: 1, column: 1) }
        // Foundation's parser reports no error when the document simply stops (a download cut
        // short): the root's end tag is then missing, and what was read is only part of the file.
        guard delegate.ended else {
            throw MSProjectFile.Truncated(place: Place(line: parser.lineNumber, column: parser.columnNumber))
        }
        return delegate.file
    }

    /// The XML parser's error number in words (the common ones; the number otherwise). The
    /// numbers are libxml2's, which XMLParser reads with and passes on.
    static func xmlProblem(_ code: Int) -> String {
        switch code {
        case 3, 4: return "it is empty or does not start with an element"
        case 5: return "there is more after its last element"
        case 6, 7, 8, 9: return "a character XML cannot hold, such as a control character"
        case 76: return "a closing tag does not match the element it closes"
        case 73, 74, 77, 85: return "an element or tag is not finished"
        default: return "XML parser error \(code)"
        }
    }

    /// A link's lag in working days. `LinkLag` is in tenths of a minute (4800 to an 8-hour
    /// day), or for a percent lag (`LagFormat` 19, 20) in tenths of a percent of the
    /// predecessor's duration, as MPXJ reads it: 500 after a 2-day task is 1 day (V18).
    /// An elapsed format (4 em, 6 eh, 8 ed, 10 ew, 12 emo, 20 e%) counts calendar time, and
    /// its `LinkLag` tenths of a minute of it (14,400 to a day): the link's lag is then in
    /// calendar days, `lag_unit` d. The other formats (3 m, 5 h, 7 d, 9 w, 11 mo, 19 %) count
    /// working time, as PMQ's `wd` (LagUnits).
    func lagDays(_ l: Link) -> Double {
        guard l.format == 19 || l.format == 20 else { return Double(l.lag) / (MSProjectFile.isElapsed(l.format) ? 14400 : 4800) }
        let pred = tasks.first { $0.uid == l.pred }?.durationHours ?? 0
        return Double(l.lag) / 10 / 100 * pred * 60 / minutesPerDay
    }

    static func isElapsed(_ format: Int) -> Bool { [4, 6, 8, 10, 12, 20].contains(format) }

    /// `PT40H30M0S` → 40.5 hours; nil for none or zero (MS Project writes PT0H0M0S for no work).
    /// `places`: decimals kept (Work to the second, V5: `PT0H7M30S` is 0.125 h, not 0.13).
    static func hours(_ s: String, places: Int = 2) -> Double? {
        guard s.hasPrefix("PT") else { return nil }
        var total = 0.0, number = ""
        for c in s.dropFirst(2) {
            switch c {
            case "H": total += Double(number) ?? 0; number = ""
            case "M": total += (Double(number) ?? 0) / 60; number = ""
            case "S": total += (Double(number) ?? 0) / 3600; number = ""
            default: number.append(c)
            }
        }
        let scale = pow(10, Double(places))
        let rounded = (total * scale).rounded() / scale
        return rounded > 0 ? rounded : nil
    }

    /// MS Project's priority (0–1000, 500 medium) as PMQ's: below 400 low, below 600
    /// medium, below 800 high, else critical.
    static func priority(_ p: Int?) -> String {
        guard let p else { return "medium" }
        return p < 400 ? "low" : p < 600 ? "medium" : p < 800 ? "high" : "critical"
    }

    /// `2006-09-21T08:00:00` → the date.
    static func day(_ s: String) -> Day? { s.count >= 10 ? Day(iso: String(s.prefix(10))) : nil }

    private final class Reader: NSObject, XMLParserDelegate {
        var file = MSProjectFile()
        var path: [String] = []
        var text = ""
        var task = Task()
        var link = Link()
        /// Set when the root element's end tag is read: a file that stops before it is cut short.
        var ended = false
        var resource = Resource()
        var assignment = Assignment()
        var exceptionFrom: Day?, exceptionTo: Day?, exceptionWorking = false, exceptionName = ""
        /// A `<WeekDay>`'s `DayType`: 1 Sunday ... 7 Saturday, 0 an exception (2003's form).
        var weekDayType = 0
        var recurrence = MSPDIRecurrence()
        var baselineNumber = 0
        /// The calendar being read (its UID comes first in it).
        var calendar = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if path.isEmpty { file.isProject = name == "Project" }
            let parent = path.last ?? ""
            path.append(name)
            text = ""
            let here = Place(line: parser.lineNumber, column: parser.columnNumber)
            switch parent {
            case "Task" where path.count == 4: task.places[name] = here
            case "Resource" where path.count == 4: resource.places[name] = here
            case "Assignment" where path.count == 4: assignment.places[name] = here
            default: break
            }
            switch name {
            case "Task" where parent == "Tasks": task = Task(); task.place = here
            case "PredecessorLink": link = Link(); link.place = here
            case "Resource" where parent == "Resources": resource = Resource(); resource.place = here
            case "Assignment" where parent == "Assignments": assignment = Assignment(); assignment.place = here
            case "Exception", "WeekDay": exceptionFrom = nil; exceptionTo = nil; exceptionWorking = false; exceptionName = ""; recurrence = MSPDIRecurrence(); weekDayType = 0
            case "Baseline": baselineNumber = 0
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        /// `<![CDATA[a <b>]]>` is text like any other (MPXJ keeps it too).
        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        /// Where the first error is (the parser's position may move on before it stops).
        var errorAt: (line: Int, column: Int)?
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if errorAt == nil { errorAt = (parser.lineNumber, parser.columnNumber) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let parent = path.dropLast().last ?? ""
            defer { path.removeLast(); text = ""; if path.isEmpty { ended = true } }
            switch (parent, name) {
            case ("Project", "Name"): file.name = value
            case ("Project", "Title"): file.title = value
            case ("Project", "DefaultStartTime") where value.count == 8: file.dayStart = value
            case ("Project", "MinutesPerDay"): if let m = Double(value), m > 0 { file.minutesPerDay = m }
            case ("Project", "Company"): file.company = value
            case ("Project", "Manager"): file.manager = value
            case ("Project", "CalendarUID"): file.calendarUID = Int(value)
            case ("Calendar", "UID"): calendar = Int(value) ?? 0
            case ("Calendar", "IsBaseCalendar") where value == "1" || value == "true": file.baseCalendars.insert(calendar)
            case ("Project", "StartDate"): file.start = MSProjectFile.day(value)
            case ("Task", "UID"): task.uid = Int(value) ?? 0
            // Names as written, spaces around them too (MPXJ keeps them; a person's name is a key) (V5).
            case ("Task", "Name"): task.name = value.isEmpty ? "" : text
            case ("Task", "OutlineNumber"): task.outline = value
            case ("Task", "OutlineLevel"): task.outlineLevel = Int(value)
            case ("Task", "Start"): task.start = MSProjectFile.day(value)
            case ("Task", "Finish"): task.finish = MSProjectFile.day(value); task.finishTime = String(value.dropFirst(11))
            case ("Task", "Work"): task.work = MSProjectFile.hours(value, places: 9)
            case ("Task", "Duration"): task.durationHours = MSProjectFile.hours(value)
            case ("Task", "Active"): task.active = value != "0"
            case ("Task", "Milestone"): task.milestone = value == "1"
            case ("Task", "Summary"): task.summary = value == "1"
            case ("Task", "IsNull"): task.isNull = value == "1"
            case ("Task", "PercentComplete"): task.percent = Double(value) ?? 0
            case ("Task", "Cost"): task.cost = MSPDICurrency.read(value)
            case ("Task", "ActualStart"): task.actualStart = MSProjectFile.day(value)
            case ("Task", "ActualFinish"): task.actualFinish = MSProjectFile.day(value)
            case ("Task", "ConstraintType"): task.constraintType = Int(value) ?? 0
            case ("Task", "ConstraintDate"): task.constraintDate = MSProjectFile.day(value)
            case ("Task", "EarlyStart"): task.earlyStart = MSProjectFile.day(value)
            case ("Task", "LateStart"): task.lateStart = MSProjectFile.day(value)
            case ("Task", "TotalSlack"): task.totalSlack = Int(value)
            case ("Task", "Critical"): task.critical = value == "1"
            case ("Task", "Priority"): task.priority = Int(value)
            case ("Task", "Notes"): task.notes = value
            case ("Baseline", "Number"): baselineNumber = Int(value) ?? 0
            case ("Baseline", "Start") where path.dropLast(2).last == "Task" && baselineNumber == 0: task.baselineStart = MSProjectFile.day(value)
            case ("Baseline", "Finish") where path.dropLast(2).last == "Task" && baselineNumber == 0: task.baselineFinish = MSProjectFile.day(value)
            case ("Baseline", "Cost") where path.dropLast(2).last == "Task" && baselineNumber == 0: task.baselineCost = MSPDICurrency.read(value)
            case ("PredecessorLink", "PredecessorUID"): link.pred = Int(value) ?? 0
            case ("PredecessorLink", "Type"): link.type = Int(value) ?? 1
            case ("PredecessorLink", "LinkLag"): link.lag = Int(value) ?? 0
            case ("PredecessorLink", "LagFormat"): link.format = Int(value) ?? 7
            case ("PredecessorLink", "CrossProject"): link.crossProject = value == "1"
            case (_, "PredecessorLink"): task.links.append(link)
            case ("Tasks", "Task"): file.tasks.append(task)
            case ("Resource", "UID"): resource.uid = Int(value) ?? 0
            case ("Resource", "Name"): resource.name = value.isEmpty ? "" : text
            case ("Resource", "Type"): resource.isWork = value == "1"
            case ("Resource", "StandardRate"): resource.rate = Double(value)
            case ("Resource", "Group"): resource.group = value
            case ("Resource", "EmailAddress"): resource.email = value
            case ("Resource", "MaxUnits"): resource.maxUnits = Double(value)
            case ("Resource", "CalendarUID"): resource.calendar = Int(value)
            case ("Resource", "NTAccount"): resource.account = value
            case ("Resource", "IsGeneric"): resource.generic = value == "1" || value == "true"
            case ("Resource", "IsInactive"): resource.inactive = value == "1" || value == "true"
            case ("Resources", "Resource"): file.resources.append(resource)
            case ("Assignment", "TaskUID"): assignment.task = Int(value) ?? 0
            case ("Assignment", "ResourceUID"): assignment.resource = Int(value) ?? 0
            case ("Assignment", "Units"): assignment.units = Double(value) ?? 1
            case ("Assignments", "Assignment"): file.assignments.append(assignment)
            // Calendar exceptions: non-working days (2007+ <Exception>, 2003 <WeekDay DayType=0>).
            case ("TimePeriod", "FromDate"): exceptionFrom = MSProjectFile.day(value)
            case ("TimePeriod", "ToDate"): exceptionTo = MSProjectFile.day(value)
            case ("Exception", "DayWorking"), ("WeekDay", "DayWorking"): exceptionWorking = value == "1"
            case ("Exception", "Name"): exceptionName = value
            case ("WeekDay", "DayType"): weekDayType = Int(value) ?? 0
            case ("Exception", "Type"): recurrence.type = Int(value) ?? 0
            case ("Exception", "Period"): recurrence.period = Int(value)
            case ("Exception", "DaysOfWeek"): recurrence.daysOfWeek = Int(value)
            case ("Exception", "MonthDay"): recurrence.monthDay = Int(value)
            case ("Exception", "MonthItem"): recurrence.monthItem = Int(value)
            case ("Exception", "MonthPosition"): recurrence.monthPosition = Int(value)
            case ("Exception", "Month"): recurrence.month = Int(value)
            case ("Exception", "Occurrences"): recurrence.occurrences = Int(value)
            // An exception of the calendar being read; a WeekDay with dates is 2003's form of one
            // (without dates it is a day of the week, not an exception).
            case (_, "Exception") where !recurrence.isPlainRange:
                // A recurring exception: only the days its recurrence names, one day each.
                guard let from = exceptionFrom, exceptionTo.map({ $0 >= from }) ?? true else { break }
                for d in recurrence.days(from: from, to: exceptionTo) {
                    file.exceptions[calendar, default: []].append(.init(from: d, to: d, working: exceptionWorking, name: exceptionName))
                }
            case (_, "WeekDay") where exceptionFrom == nil && (1...7).contains(weekDayType):
                // A day of the week: ISO weekday (DayType 1 is Sunday).
                file.weekDays[calendar, default: [:]][weekDayType == 1 ? 7 : weekDayType - 1] = exceptionWorking
            case (_, "Exception"), (_, "WeekDay"):
                if let from = exceptionFrom, let to = exceptionTo, to >= from, to.number - from.number < 400 {
                    file.exceptions[calendar, default: []].append(.init(from: from, to: to, working: exceptionWorking, name: exceptionName))
                }
            default: break
            }
        }
    }
}

/// `import "file.xml" [as "CODE"]`: a new project from an MS Project file.
struct MSProjectImporter {
    let session: SessionContext

    /// `shown`: the path as the statement gives it, which errors name.
    func run(path: String, shown: String, code: String?, _ range: SourceRange) throws -> ChangeReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(code: .cannotRead, message: "cannot read \(shown)", range: range)
        }
        var file: MSProjectFile
        let checks = MSProjectChecks(path: path, shown: path)
        do { file = try MSProjectFile.read(data) } catch let m as MSProjectFile.Malformed {
            // Located in the file, as an import's bad cell is: FILE:LINE:COLUMN and a caret.
            let source = SourceFile(name: shown, text: String(decoding: data, as: UTF8.self))
            let lineStart = source.offset(ofLine: m.line)
            let lineEnd = source.offset(ofLine: m.line + 1)
            let at = min(lineStart + m.column - 1, max(lineStart, lineEnd - 1))
            var e = RuntimeError(code: .cannotRead, message: m.message, range: SourceRange(at, min(at + 1, source.bytes.count)))
            e.source = source
            throw e
        } catch var e as RuntimeError {
            e.range = range
            throw e
        } catch let t as MSProjectFile.Truncated {
            throw checks.error(.cannotRead, "the file ends before </Project> (truncated?): nothing of it is imported", at: t.place)
        }
        // The model's rules, before anything is written (MSProjectChecks).
        _ = file.renumberLegacyOutline()
        let imported = file.tasks.filter { $0.uid != 0 && !$0.isNull && !$0.outline.isEmpty }
        for t in imported { try checks.check(t) }
        try checks.checkOutline(imported)
        let projectCode = code ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let db = session.db
        if case .integer = try db.scalar(AddSQL.projectByCode, [.text(projectCode)]) {
            throw RuntimeError(code: .duplicate, message: "project \"\(projectCode)\" already exists: import as another code with: import \"\(path)\" as \"CODE\"", range: range)
        }
        let set = try session.journal.set()
        func text(_ s: String) -> Value { s.isEmpty ? .null : .text(s) }
        // Every day of the project calendar's days off, weekend days too (a holiday of PMQ's may
        // span a weekend, as `add holiday D to E` does).
        for d in file.holidays {
            // A day that is a holiday already keeps its name; a new one is journaled, so undo of
            // the import takes it back.
            if try db.run(MSProjectSQL.addHoliday, [.date(d.day), .text(d.name.isEmpty ? "\(projectCode) calendar" : d.name)]) > 0 {
                try session.journal.record(set, "holidays", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
        }
        // Make-up days: working exceptions on a Saturday or Sunday (a working exception on a
        // weekday changes nothing in PMQ's calendar).
        for d in file.workdays {
            if try db.run(MSProjectSQL.addWorkday, [.date(d.day), .text(d.name.isEmpty ? "\(projectCode) calendar" : d.name)]) > 0 {
                try session.journal.record(set, "workdays", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
        }
        // People: work resources by name (existing people are reused, as they are).
        var people = [Int: Int64]()
        let calendarUsers = file.calendarUsers
        for r in file.resources where r.uid != 0 && !r.name.isEmpty {
            if case .integer(let id) = try db.scalar(AddSQL.personByName, [.text(r.name)]) {
                people[r.uid] = id
                continue
            }
            // Max units 1 is a full 8-hour day; checked by `add person`'s rules.
            let capacity = try checks.capacity(r)
            try db.run(MSProjectSQL.addPerson,
                       [.text(r.name), .text(checks.kind(r)), r.rate.map { .decimal($0 * 8) } ?? .null, text(r.group), text(r.email),
                        .decimal((capacity * 100).rounded() / 100), text(r.account), .bool(!r.inactive)])
            let person = db.lastInsertID
            people[r.uid] = person
            try session.journal.record(set, "people", person, "+", old: .null, new: .integer(person))
            // Their leave: the days off of their own calendar (not of a shared base calendar).
            guard let c = r.calendar, c != (file.calendarUID ?? 1), !file.baseCalendars.contains(c), calendarUsers[c] == 1 else { continue }
            for e in file.exceptions[c] ?? [] where !e.working {
                try db.run(MSProjectSQL.addLeave, [.integer(person), .date(e.from), .date(e.to), text(e.name)])
                try session.journal.record(set, "leaves", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
        }
        // The project: named by the file's title (else its name), the client from Company,
        // the manager from Manager when that is a person here.
        var manager = Value.null
        if !file.manager.isEmpty, case .integer(let id) = try db.scalar(AddSQL.personByName, [.text(file.manager)]) { manager = .integer(id) }
        let title = !file.title.isEmpty ? file.title : !file.name.isEmpty ? file.name : projectCode
        try db.run(MSProjectSQL.addProject, [.text(projectCode), .text(title), file.start.map { .date($0) } ?? .null, text(file.company), manager])
        let project = db.lastInsertID
        try session.journal.record(set, "projects", project, "+", old: .null, new: .integer(project))
        var owner = [Int: Int64]()
        for a in file.assignments where owner[a.task] == nil { owner[a.task] = people[a.resource] }
        // Tasks, by outline number (UID 0 is the project's own summary row).
        var taskID = [Int: Int64]()
        var added = 0
        var lastingMilestones: [String] = []
        try session.loadCalendar()
        for var t in imported {
            // "Mark task as milestone" on a task with a duration: MS Project keeps both, PMQ's
            // milestone lasts 0 days. The work is kept (a task of its dates, not a milestone)
            // and the report says so, rather than shortening the plan without a word (V19).
            if t.milestone, !t.summary, (t.durationHours ?? 0) > 0, t.start != nil, t.finish != nil {
                t.milestone = false
                lastingMilestones.append(t.outline)
            }
            // The finish is the last day worked: a finish written at or before the start of a
            // working day (08:00) ends the working day before it. The file's own finish is
            // taken, not start + duration: durations may be elapsed time, days of other
            // lengths, or a split task's (MPXJ reads these finishes so too).
            if let s = t.start, var f = t.finish, !t.milestone, f > s, !t.finishTime.isEmpty, t.finishTime <= file.dayStart {
                f = f + -1
                while f > s, !session.calendar.isWorking(f) { f = f + -1 }
                t.finish = f
            }
            let name = t.name.isEmpty ? "Task \(t.uid)" : t.name
            // Status from progress (MSPDI has none); a started task is doing, an inactive one cancelled.
            let status = !t.active ? "cancelled" : t.percent >= 100 ? "done" : t.percent > 0 || t.actualStart != nil ? "doing" : "todo"
            // ALAP has no PMQ counterpart (PMQ schedules as soon as possible): it reads as asap.
            let kinds = [2: "mso", 3: "mfo", 4: "snet", 5: "snlt", 6: "fnet", 7: "fnlt"]
            let constraint = t.constraintDate == nil ? "asap" : kinds[t.constraintType] ?? "asap"
            try db.run(MSProjectSQL.addTask, [.integer(project), .text(t.outline), .text(WBS.sortKey(t.outline)), WBS.parent(t.outline).map { .text($0) } ?? .null,
                      .text(name), owner[t.uid].map { .integer($0) } ?? .null, .text(status),
                      t.start.map { .date($0) } ?? .null, (t.milestone ? t.start : t.finish).map { .date($0) } ?? .null,
                      t.actualStart.map { .date($0) } ?? .null, t.actualFinish.map { .date($0) } ?? .null,
                      .decimal(t.percent), t.cost.map { .decimal($0) } ?? .null, .bool(t.milestone),
                      .text(constraint), constraint == "asap" ? .null : t.constraintDate.map { .date($0) } ?? .null,
                      .text(MSProjectFile.priority(t.priority)), t.baselineStart.map { .date($0) } ?? .null,
                      (t.milestone ? t.baselineFinish ?? t.baselineStart : t.baselineFinish).map { .date($0) } ?? .null,
                      t.baselineCost.map { .decimal($0) } ?? .null, t.notes.isEmpty ? .null : .text(t.notes),
                      t.work.map { .decimal($0) } ?? .null])
            taskID[t.uid] = db.lastInsertID
            try session.journal.record(set, "tasks", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            added += 1
        }
        // Links: MS Project's type codes are 0 FF, 1 FS, 2 SF, 3 SS; LinkLag is in tenths of
        // a minute, 4800 to an 8-hour working day.
        let types = [0: "FF", 1: "FS", 2: "SF", 3: "SS"]
        let codes = Dictionary(imported.map { ($0.uid, $0.outline) }, uniquingKeysWith: { a, _ in a })
        let links = AddExecutor(session: session)
        for t in file.tasks {
            guard let succ = taskID[t.uid] else { continue }
            for l in t.links where !l.crossProject {
                // A link to a task the file does not have would be lost without a word.
                guard let pred = taskID[l.pred], let p = codes[l.pred] else {
                    throw checks.error(.unknownRow, "task \(t.outline) has predecessor UID \(l.pred), which is no task of this file", at: l.place,
                                       notes: ["remove the link, or give the file its predecessor task"])
                }
                // `add dependency`'s checks (itself, cycles); a pair the file links twice is one link.
                do {
                    guard try links.checkNewLink(pred: pred, succ: succ, shown: (p, t.outline), range: range) else { continue }
                } catch let e as RuntimeError {
                    throw checks.error(e.code, e.message, at: l.place, notes: e.notes)
                }
                guard try db.run(MSProjectSQL.addLink, [.integer(pred), .integer(succ), .text(types[l.type] ?? "FS"),
                                                        .decimal((file.lagDays(l) * 100).rounded() / 100),
                                                        .text(MSProjectFile.isElapsed(l.format) ? "d" : "wd")]) > 0 else { continue }
                try session.journal.record(set, "dependencies", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
            }
        }
        var ownerSeen = Set<Int>()
        for a in file.assignments {
            guard let task = taskID[a.task], let person = people[a.resource] else { continue }
            // The owner at 100% is what owning means (docs/language.md, “Resources”): no R row is needed for it,
            // so PMQ's own export comes back as it was.
            if owner[a.task] == person, a.units == 1, ownerSeen.insert(a.task).inserted { continue }
            try db.run(MSProjectSQL.addResponsible, [.integer(task), .integer(person), .decimal(try checks.units(a))])
            try session.journal.record(set, "assignments", db.lastInsertID, "+", old: .null, new: .integer(db.lastInsertID))
        }
        session.caches.forgetProjects()
        try session.loadCalendar()
        var note = "project \(projectCode)"
        let week = file.weekDifferences
        if !(week.off.isEmpty && week.on.isEmpty), let span = file.planSpan {
            let names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            let parts = week.off.map { names[$0 - 1] + " off" } + week.on.map { names[$0 - 1] + " working" }
            note += "; the file's working week (\(parts.joined(separator: ", "))) kept as holidays and make-up days from \(span.from) to \(span.to)"
        }
        if !lastingMilestones.isEmpty {
            let shown = lastingMilestones.prefix(5).joined(separator: ", ") + (lastingMilestones.count > 5 ? ", ..." : "")
            note += "; marked as milestones but lasting longer, imported as tasks of their dates: \(shown)"
        }
        return ChangeReport(verb: "imported", entity: "task", count: added, detail: nil, note: note)
    }
}
