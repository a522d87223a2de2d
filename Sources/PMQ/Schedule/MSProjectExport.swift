import Foundation

/// The MSPDI document PMQ writes. Properties are declared in the order of Microsoft's
/// schema (mspdi_pj12.xsd, and `Active` of Project 2010's, SaveVersion 14): `XMLStreamEncoder`
/// writes them in that order, and MS Project, ProjectLibre and MPXJ read elements in schema
/// order. Nil properties are left out.
struct MSPDIProject: Encodable {
    var SaveVersion = 14
    var Name: String
    var Title: String
    var Company: String?
    var Manager: String?
    var ScheduleFromStart = 1
    var StartDate: String?
    var FinishDate: String?
    var CurrencyCode = "CNY"
    var CalendarUID = 1
    var DefaultStartTime = "08:00:00"
    var DefaultFinishTime = "17:00:00"
    var MinutesPerDay = 480
    var MinutesPerWeek = 2400
    var DaysPerMonth = 20
    var StatusDate: String?
    var Calendars: CalendarList
    var Tasks: TaskList
    var Resources: ResourceList
    var Assignments: AssignmentList

    struct CalendarList: Encodable { var Calendar: [Calendar] }
    /// The project calendar (UID 1), or a person's resource calendar: based on UID 1, with
    /// their leave as exceptions.
    struct Calendar: Encodable {
        var UID = 1
        var Name = "Standard"
        var IsBaseCalendar = 1
        var BaseCalendarUID = -1
        var WeekDays: WeekDayList?
        var Exceptions: ExceptionList?
    }
    struct WeekDayList: Encodable { var WeekDay: [WeekDay] }
    struct WeekDay: Encodable {
        var DayType: Int
        var DayWorking: Int
        var WorkingTimes: WorkingTimeList?
    }
    struct WorkingTimeList: Encodable { var WorkingTime: [WorkingTime] }
    struct WorkingTime: Encodable { var FromTime: String; var ToTime: String }
    struct ExceptionList: Encodable { var Exception: [Exception] }
    struct Exception: Encodable {
        var EnteredByOccurrence = 0
        var TimePeriod: TimePeriod
        var Occurrences = 1
        var Name: String
        var `Type` = 1
        /// 0: a day off (holiday, leave); 1: a working day (a make-up day), with its hours.
        var DayWorking = 0
        var WorkingTimes: WorkingTimeList?
    }
    struct TimePeriod: Encodable { var FromDate: String; var ToDate: String }

    struct TaskList: Encodable { var Task: [Task] }
    struct Task: Encodable {
        var UID: Int
        var ID: Int
        var Name: String
        /// 0 for a cancelled task (Project 2010's inactive task), else left out.
        var Active: Int?
        var `Type` = 1
        var IsNull = 0
        var WBS: String?
        var OutlineNumber: String?
        var OutlineLevel: Int
        var Priority: Int?
        var Start: String?
        var Finish: String?
        var Duration: String?
        var DurationFormat: Int?
        /// `effort`, in hours.
        var Work: String?
        var Milestone: Int
        var Summary: Int
        var PercentComplete: Int?
        var Cost: String?
        var ActualStart: String?
        var ActualFinish: String?
        /// MS Project's numbering: 0 ASAP, 2 MSO, 3 MFO, 4 SNET, 5 SNLT, 6 FNET, 7 FNLT.
        var ConstraintType: Int?
        var ConstraintDate: String?
        var Notes: String?
        var PredecessorLink: [Link]
        var Baseline: [Baseline]
    }
    struct Link: Encodable {
        var PredecessorUID: Int
        var `Type`: Int
        var LinkLag: Int
        var LagFormat = 7
    }
    struct Baseline: Encodable {
        var Number = 0
        var Start: String?
        var Finish: String?
        var Duration: String?
        var Cost: String?
    }

    struct ResourceList: Encodable { var Resource: [Resource] }
    struct Resource: Encodable {
        var UID: Int
        var ID: Int
        var Name: String
        var `Type` = 1
        var IsNull = 0
        /// `login`: the account `me` matches.
        var NTAccount: String?
        var Group: String?
        var EmailAddress: String?
        /// `capacity` / 8: 1 is a full 8-hour day.
        var MaxUnits: String?
        var StandardRate: String?
        var StandardRateFormat: Int?
        /// The person's own calendar (their leave), when they have leave.
        var CalendarUID: Int?
        /// 1 for a `team` (MS Project's generic resource).
        var IsGeneric: Int?
        /// 1 for someone no longer active.
        var IsInactive: Int?
    }
    struct AssignmentList: Encodable { var Assignment: [Assignment] }
    struct Assignment: Encodable {
        var UID: Int
        var TaskUID: Int
        var ResourceUID: Int
        var Units: String
    }

    static let root = "Project"
    static let rootAttributes = [("xmlns", "http://schemas.microsoft.com/project")]
    static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    /// PMQ's constraint kinds in MS Project's numbering (ALAP, 1, has no PMQ counterpart).
    static let constraintNumbers = ["asap": 0, "mso": 2, "mfo": 3, "snet": 4, "snlt": 5, "fnet": 6, "fnlt": 7]
}

/// `export project to "F.xml"`: the current project as MS Project XML — its title, client
/// and manager, the status date; tasks with their outline, dates, durations, effort (work),
/// progress, actual dates, cost, constraints, baseline and milestones, cancelled tasks as
/// inactive; links with type and lag; people as resources (capacity as max units, team as
/// generic, login, leave as their calendar's exceptions); owners and R assignments; the
/// holidays and make-up days as exceptions of the project calendar. `import "F.xml"` reads it
/// back (MSProjectImport.swift).
struct MSProjectExporter {
    let session: SessionContext

    /// `s` escaped as XMLCoder escapes element text: & < > ' " as entities, in one pass
    /// (what `XMLStreamEncoder` does to every text it writes, with control characters).
    static func xmlEscaped(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        XMLStreamEncoder.appendEscaped(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The file's bytes and the number of tasks written.
    func export(_ range: SourceRange) throws -> (Data, tasks: Int) {
        let (document, count) = try self.document(range)
        // Written as it is encoded, without XMLCoder's tree of the whole document (most of
        // the time of a large export); escaped by construction, in declaration order.
        let data = try XMLStreamEncoder.encode(document, root: MSPDIProject.root, attributes: MSPDIProject.rootAttributes,
                                               header: MSPDIProject.header)
        return (data, count)
    }

    /// The document of the current project, and its number of tasks.
    func document(_ range: SourceRange) throws -> (MSPDIProject, tasks: Int) {
        let db = session.db
        guard let project = try session.schedulingProject(range) else {
            throw RuntimeError(code: .missingValue, message: "there is no project to export: add one with add project \"CODE\"", range: range)
        }
        try session.loadCalendar()
        let calendar = session.calendar
        func day(_ v: Value) -> Day? { if case .integer(let n) = v { return Day(Int(n)) }; return nil }
        // Text from the database as it is: the encoder escapes every text it writes.
        func text(_ v: Value) -> String? { if case .text(let s) = v { return s }; return nil }
        func number(_ v: Value) -> Double? { v.number }
        func isFalse(_ v: Value) -> Bool { v == .integer(0) || v == .bool(false) }
        func money(_ d: Double?) -> String? { d.flatMap(MSPDICurrency.write) }
        func at(_ d: Day?, _ time: String) -> String? { d.map { "\($0.iso)T\(time)" } }
        /// Working days of a task that runs from `s` to `f`, both included.
        func workdays(_ s: Day?, _ f: Day?) -> Int? {
            guard let s, let f, f >= s else { return nil }
            return calendar.workingDays(from: s, to: f + 1)
        }
        func hours(_ days: Int) -> String { "PT\(days * 8)H0M0S" }
        /// Hours as an xsd:duration, to the second (effort may have decimals).
        func work(_ h: Double) -> String {
            let seconds = Int((h * 3600).rounded())
            return "PT\(seconds / 3600)H\(seconds % 3600 / 60)M\(seconds % 60)S"
        }

        var projectName = "", projectCode = "", projectStart: Day?, projectFinish: Day?, client: String?, manager: String?
        try db.query(MSProjectSQL.project, [.integer(project)]) { s in
            projectCode = text(s[0]) ?? ""
            projectName = text(s[1]) ?? projectCode
            projectStart = day(s[2])
            projectFinish = day(s[3])
            client = text(s[4])
            manager = text(s[5])
        }

        // Tasks in WBS order; UIDs count from 1 (UID 0 is the project's own summary row).
        struct Row { var id: Int64; var wbs: String; var values: [Value] }
        var rows: [Row] = []
        try db.query(MSProjectSQL.tasks, [.integer(project)]) { s in
            guard case .integer(let id) = s[0] else { return }
            rows.append(Row(id: id, wbs: text(s[1]) ?? "", values: (2...20).map { s[Int32($0)] }))
        }
        // Summaries are the tasks some other task names as parent (found here, in one pass:
        // parent_wbs has no index to ask SQLite per task).
        let parents = Set(rows.compactMap { text($0.values[14]) })
        var uid: [Int64: Int] = [:]
        for (i, r) in rows.enumerated() { uid[r.id] = i + 1 }

        var links: [Int64: [MSPDIProject.Link]] = [:]
        let linkType = ["FF": 0, "FS": 1, "SF": 2, "SS": 3]
        try db.query(MSProjectSQL.links, [.integer(project)]) { s in
            guard case .integer(let p) = s[0], case .integer(let q) = s[1], let pu = uid[p] else { return }
            // A lag in calendar days is MS Project's elapsed days (LagFormat 8, 14,400 tenths of
            // a minute a day); one in working days its days (7, 4,800 to an 8-hour day).
            let lag = s[3].number ?? 0
            let elapsed = text(s[4]) == "d"
            links[q, default: []].append(.init(PredecessorUID: pu, Type: linkType[text(s[2]) ?? "FS"] ?? 1,
                                               LinkLag: Int((lag * (elapsed ? 14400 : 4800)).rounded()), LagFormat: elapsed ? 8 : 7))
        }

        let priorities = ["low": 300, "medium": 500, "high": 700, "critical": 900]
        var tasks: [MSPDIProject.Task] = [
            .init(UID: 0, ID: 0, Name: projectName, WBS: "0", OutlineNumber: "0", OutlineLevel: 0, Start: at(projectStart, "08:00:00"),
                  Finish: at(projectFinish, "17:00:00"), Milestone: 0, Summary: 1, PredecessorLink: [], Baseline: []),
        ]
        tasks.reserveCapacity(rows.count + 1)
        for (i, r) in rows.enumerated() {
            let v = r.values
            let milestone = v[6] == .integer(1) || v[6] == .bool(true)
            let summary = parents.contains(r.wbs)
            let start = day(v[2]), finish = day(v[3])
            let days = milestone ? 0 : workdays(start, finish)
            var baseline: [MSPDIProject.Baseline] = []
            if !v[9].isNull || !v[10].isNull || !v[11].isNull {
                let bs = day(v[9]), bf = day(v[10])
                // A milestone's baseline is one day: its finish, else its start (PMQ may keep only one).
                baseline.append(.init(Start: at(bs, "08:00:00"), Finish: at(milestone ? bf ?? bs : bf, milestone ? "08:00:00" : "17:00:00"),
                                      Duration: (milestone ? 0 : workdays(bs, bf)).map(hours), Cost: money(number(v[11]))))
            }
            // A constraint without its date is as soon as possible (import reads it so too).
            let constraintDate = day(v[17])
            let constraint = constraintDate == nil ? nil : text(v[16]).flatMap { MSPDIProject.constraintNumbers[$0] }.flatMap { $0 == 0 ? nil : $0 }
            tasks.append(.init(
                UID: i + 1, ID: i + 1, Name: text(v[0]) ?? "",
                Active: text(v[18]) == "cancelled" ? 0 : nil,
                WBS: r.wbs, OutlineNumber: r.wbs,
                OutlineLevel: r.wbs.split(separator: ".").count,
                Priority: text(v[1]).flatMap { priorities[$0] },
                Start: at(start ?? finish, "08:00:00"),
                Finish: at(milestone ? (start ?? finish) : finish, milestone ? "08:00:00" : "17:00:00"),
                Duration: days.map(hours), DurationFormat: days == nil ? nil : 7,
                Work: number(v[15]).map(work),
                Milestone: milestone ? 1 : 0, Summary: summary ? 1 : 0,
                PercentComplete: number(v[4]).map { Int($0.rounded()) },
                Cost: money(number(v[5])),
                ActualStart: at(day(v[7]), "08:00:00"), ActualFinish: at(day(v[8]), "17:00:00"),
                ConstraintType: constraint,
                // Start constraints hold from the day's start, finish constraints to its end.
                ConstraintDate: constraint == nil ? nil : at(constraintDate, constraint == 3 || constraint == 6 || constraint == 7 ? "17:00:00" : "08:00:00"),
                Notes: text(v[12]).flatMap { $0.isEmpty ? nil : $0 },
                PredecessorLink: links[r.id] ?? [], Baseline: baseline))
        }

        // Leave: one resource calendar per person who has some, based on the project's.
        var leave: [Int64: [MSPDIProject.Exception]] = [:]
        try db.query(MSProjectSQL.leaves) { s in
            guard case .integer(let p) = s[0], let from = day(s[1]), let to = day(s[2]) else { return }
            leave[p, default: []].append(.init(TimePeriod: .init(FromDate: "\(from.iso)T00:00:00", ToDate: "\(to.iso)T23:59:00"),
                                              Name: text(s[3]).flatMap { $0.isEmpty ? nil : $0 } ?? "Leave"))
        }
        var calendars: [MSPDIProject.Calendar] = []

        // People: everyone (people belong to the model, not to one project), as work resources.
        var resources: [MSPDIProject.Resource] = []
        var resourceUID: [Int64: Int] = [:]
        try db.query(MSProjectSQL.people) { s in
            guard case .integer(let id) = s[0] else { return }
            let n = resources.count + 1
            resourceUID[id] = n
            let rate = number(s[5])
            let name = text(s[1]) ?? ""
            var calendarUID: Int?
            if let exceptions = leave[id] {
                calendarUID = calendars.count + 2
                calendars.append(.init(UID: calendarUID ?? 0, Name: name, IsBaseCalendar: 0, BaseCalendarUID: 1,
                                       Exceptions: .init(Exception: exceptions)))
            }
            resources.append(.init(UID: n, ID: n, Name: name, NTAccount: text(s[7]), Group: text(s[2]),
                                   EmailAddress: text(s[3]),
                                   MaxUnits: number(s[4]).map { formatNumber($0 / 8) },
                                   StandardRate: rate.map { formatNumber($0 / 8) }, StandardRateFormat: rate == nil ? nil : 2,
                                   CalendarUID: calendarUID,
                                   IsGeneric: text(s[6]) == "team" ? 1 : nil,
                                   IsInactive: isFalse(s[8]) ? 1 : nil))
        }
        // Assignments: the owner first (MS Project's first resource is PMQ's owner on
        // import), then every R assignment of someone else.
        var assignments: [MSPDIProject.Assignment] = []
        var ownerUnits: [Int64: Double] = [:]
        try db.query(MSProjectSQL.ownerUnits, [.integer(project)]) { s in
            if case .integer(let t) = s[0], let u = s[1].number { ownerUnits[t] = u / 100 }
        }
        for r in rows {
            guard case .integer(let owner) = r.values[13], let ru = resourceUID[owner], let tu = uid[r.id] else { continue }
            assignments.append(.init(UID: assignments.count + 1, TaskUID: tu, ResourceUID: ru, Units: formatNumber(ownerUnits[r.id] ?? 1)))
        }
        try db.query(MSProjectSQL.otherResponsible, [.integer(project)]) { s in
            guard case .integer(let t) = s[0], case .integer(let p) = s[1],
                  let tu = uid[t], let ru = resourceUID[p] else { return }
            assignments.append(.init(UID: assignments.count + 1, TaskUID: tu, ResourceUID: ru, Units: formatNumber((s[2].number ?? 100) / 100)))
        }

        // The project calendar's exceptions: holidays (days off) and make-up days (working
        // days, with the working hours), one per run of consecutive days with one name, in
        // date order.
        let working = MSPDIProject.WorkingTimeList(WorkingTime: [.init(FromTime: "08:00:00", ToTime: "12:00:00"), .init(FromTime: "13:00:00", ToTime: "17:00:00")])
        var exceptions: [(from: Day, to: Day, name: String, working: Bool)] = []
        func collect(_ sql: String, working: Bool) throws {
            try db.query(sql) { s in
                guard let d = day(s[0]) else { return }
                let name = text(s[1]) ?? ""
                if let r = exceptions.last, r.working == working, r.to + 1 == d, r.name == name {
                    exceptions[exceptions.count - 1].to = d
                    return
                }
                exceptions.append((d, d, name, working))
            }
        }
        try collect(MSProjectSQL.holidays, working: false)
        let holidayCount = exceptions.count
        try collect(MSProjectSQL.workdays, working: true)
        // Holidays and make-up days are distinct days: merged by date, the file reads in order.
        if holidayCount > 0, holidayCount < exceptions.count { exceptions.sort { $0.from < $1.from } }
        let projectExceptions = exceptions.map {
            MSPDIProject.Exception(TimePeriod: .init(FromDate: "\($0.from.iso)T00:00:00", ToDate: "\($0.to.iso)T23:59:00"), Name: $0.name,
                                   DayWorking: $0.working ? 1 : 0, WorkingTimes: $0.working ? working : nil)
        }
        let week = (1...7).map { d in
            MSPDIProject.WeekDay(DayType: d, DayWorking: d == 1 || d == 7 ? 0 : 1, WorkingTimes: d == 1 || d == 7 ? nil : working)
        }
        calendars.insert(.init(WeekDays: .init(WeekDay: week), Exceptions: projectExceptions.isEmpty ? nil : .init(Exception: projectExceptions)), at: 0)

        let document = MSPDIProject(
            Name: projectCode + ".xml", Title: projectName, Company: client, Manager: manager,
            StartDate: at(projectStart ?? rows.compactMap { day($0.values[2]) }.min(), "08:00:00"),
            FinishDate: at(projectFinish ?? rows.compactMap { day($0.values[3]) }.max(), "17:00:00"),
            // The status date: the day progress was measured on, PMQ's `today`.
            StatusDate: at(session.today, "17:00:00"),
            Calendars: .init(Calendar: calendars),
            Tasks: .init(Task: tasks), Resources: .init(Resource: resources), Assignments: .init(Assignment: assignments))
        return (document, rows.count)
    }
}
