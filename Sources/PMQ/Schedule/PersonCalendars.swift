/// Each person's working days (docs/language.md, “Resources”): the project calendar less their leave. A task
/// counts its working days in its owner's calendar (`schedule`, `5wd` on a task, `shift`).
public final class PersonCalendars: @unchecked Sendable {
    private(set) var holidays: [Day] = []
    private(set) var workdays: [Day] = []
    /// Leave days by person id.
    private(set) var leave: [Int64: [Day]] = [:]
    private var cache: [Int64: WorkCalendar] = [:]
    let project: WorkCalendar

    init(project: WorkCalendar) { self.project = project }

    /// A leave is taken day by day for at most ten years from its start.
    func set(holidays: [Day], workdays: [Day], leave rows: [(person: Int64, start: Day, finish: Day)]) {
        self.holidays = holidays
        self.workdays = workdays
        project.set(holidays, workdays: workdays)
        var byPerson: [Int64: [Day]] = [:]
        for r in rows where r.finish >= r.start {
            let last = min(r.finish.number, r.start.number + 3652)
            byPerson[r.person, default: []].append(contentsOf: (r.start.number...last).map(Day.init))
        }
        leave = byPerson
        cache = [:]
    }

    /// The calendar of `person` (the project's when nil or without leave).
    public func calendar(for person: Int64?) -> WorkCalendar {
        guard let p = person, let days = leave[p], !days.isEmpty else { return project }
        if let c = cache[p] { return c }
        let c = WorkCalendar(holidays: holidays + days, workdays: workdays)
        cache[p] = c
        return c
    }

    /// A person's leave days that are project working days.
    func leaveWorkingDays(_ person: Int64?) -> [Day] {
        guard let p = person, let days = leave[p] else { return [] }
        return days.filter { project.isWorking($0) }
    }
}
