import Foundation
import Testing
@testable import PMQ

/// What an MS Project file says that PMQ's import used to lose or change without a word
/// (review 6: V5, V9, V18, V19), on both engines. Expected values are MS Project's own (the
/// dates it wrote in the file) and MPXJ's reading of the same elements.
@Suite("MS Project XML import keeps what the file says")
struct MSProjectFidelityTests {
    typealias F = MSProjectImportChecksTests

    /// Imports `xml` as project "W" on `engine` (today `today`), runs `then`, and gives each
    /// statement's rows as text (a change as its report line).
    static func run(_ xml: String, on engine: TestEngine, today: String = "2026-03-02", _ then: [String]) throws -> [[[String]]] {
        let store = try TestStore(engine)
        defer { store.drop() }
        let s = try store.session(today: today)
        let path = Scratch("mspdi-fidelity").write("p.xml", xml)
        var out: [[[String]]] = []
        for text in ["import \"\(path)\" as \"W\""] + then {
            let r = s.run(text)
            #expect(r.diagnostics.isEmpty, "\(text): \(r.diagnostics.map(\.message))")
            switch r.results.last {
            case .rows(_, let rows, _)?: out.append(rows.map { $0.map { ConstantEvaluator.text($0) } })
            case .change(let c)?: out.append([[c.verb, String(c.count), c.note ?? ""]])
            case .scalar(let v, _)?: out.append([[ConstantEvaluator.text(v)]])
            default: out.append([])
            }
        }
        return out
    }

    @Test("V19: a task marked as a milestone with a duration keeps its duration; successors stay where MS Project put them", arguments: TestEngine.all)
    func lastingMilestone(_ engine: TestEngine) throws {
        // Task 1: "Mark task as milestone" on a 3-day task (MS Project and MPXJ: Milestone 1, PT24H).
        let xml = F.project([F.task(1, "1", "<Duration>PT24H0M0S</Duration><Milestone>1</Milestone>", start: "2026-03-02", finish: "2026-03-04"),
                             F.task(2, "2", "<Duration>PT8H0M0S</Duration>" + F.link(1), start: "2026-03-05", finish: "2026-03-05"),
                             F.task(3, "3", "<Duration>PT0H0M0S</Duration><Milestone>1</Milestone>", start: "2026-03-05", finish: "2026-03-05")])
        let r = try Self.run(xml, on: engine, ["tasks select wbs, start, finish, milestone", "use project \"W\"", "schedule", "tasks select wbs, start, finish"])
        #expect(r[0][0][2].contains("marked as milestones but lasting longer, imported as tasks of their dates: 1"), "\(r[0])")
        #expect(r[1] == [["1", "2026-03-02", "2026-03-04", "false"], ["2", "2026-03-05", "2026-03-05", "false"], ["3", "2026-03-05", "2026-03-05", "true"]])
        #expect(r[4] == [["1", "2026-03-02", "2026-03-04"], ["2", "2026-03-05", "2026-03-05"], ["3", "2026-03-02", "2026-03-02"]])
    }

    /// ganttproject's weekends.xml shape: the Standard calendar has Thursday off and works
    /// Saturday; MS Project dates a 5-day task from Monday 2010-09-20 to Saturday 09-25.
    static let week = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Project xmlns="http://schemas.microsoft.com/project">
        <Name>wk</Name><CalendarUID>1</CalendarUID>
        <Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><WeekDays>
        <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
        <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking></WeekDay>
        <WeekDay><DayType>3</DayType><DayWorking>1</DayWorking></WeekDay>
        <WeekDay><DayType>4</DayType><DayWorking>1</DayWorking></WeekDay>
        <WeekDay><DayType>5</DayType><DayWorking>0</DayWorking></WeekDay>
        <WeekDay><DayType>6</DayType><DayWorking>1</DayWorking></WeekDay>
        <WeekDay><DayType>7</DayType><DayWorking>1</DayWorking></WeekDay>
        </WeekDays></Calendar></Calendars>
        <Tasks>
        <Task><UID>1</UID><Name>five days</Name><OutlineNumber>1</OutlineNumber><OutlineLevel>1</OutlineLevel><Start>2010-09-20T08:00:00</Start><Finish>2010-09-25T17:00:00</Finish><Duration>PT40H0M0S</Duration></Task>
        </Tasks>
        </Project>
        """

    @Test("V9: a working week other than Monday–Friday is kept within the plan as holidays and make-up days; schedule keeps MS Project's finish", arguments: TestEngine.all)
    func workingWeek(_ engine: TestEngine) throws {
        let r = try Self.run(Self.week, on: engine, today: "2010-09-20",
                             ["holidays select day", "workdays select day", "use project \"W\"", "schedule", "tasks select wbs, start, finish", "print 2010-09-22 + 1wd"])
        #expect(r[0][0][2].contains("the file's working week (Thursday off, Saturday working) kept as holidays and make-up days from 2010-09-20 to 2010-09-25"), "\(r[0])")
        #expect(r[1] == [["2010-09-23"]])
        #expect(r[2] == [["2010-09-25"]])
        #expect(r[5] == [["1", "2010-09-20", "2010-09-25"]])
    }

    @Test("V5: names keep their spaces, Work is read to the second", arguments: TestEngine.all)
    func namesAndWork(_ engine: TestEngine) throws {
        let xml = F.project([F.task(1, "1", "<Work>PT0H7M30S</Work>").replacingOccurrences(of: "<Name>T1</Name>", with: "<Name>  spaces  </Name>")],
                            resources: ["<Resource><UID>1</UID><Name> spaced </Name><Type>1</Type></Resource>"],
                            assignments: ["<Assignment><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units></Assignment>"])
        let r = try Self.run(xml, on: engine, ["tasks select name, owner, effort", "people select name"])
        #expect(r[1] == [["  spaces  ", " spaced ", "0.125"]])
        #expect(r[2] == [[" spaced "]])
    }

    @Test("V18: a percent lag (LagFormat 19) is that share of the predecessor's duration", arguments: TestEngine.all)
    func percentLag(_ engine: TestEngine) throws {
        // 50% (LinkLag 500, tenths of a percent, as MPXJ reads it) after a 2-day task: 1 day.
        let link = "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><LinkLag>500</LinkLag><LagFormat>19</LagFormat></PredecessorLink>"
        let xml = F.project([F.task(1, "1", "<Duration>PT16H0M0S</Duration>", start: "2026-03-02", finish: "2026-03-03"),
                             F.task(2, "2", "<Duration>PT8H0M0S</Duration>" + link, start: "2026-03-05", finish: "2026-03-05")])
        let r = try Self.run(xml, on: engine, ["dependencies select lag"])
        #expect(r[1] == [["1d"]])
    }
}
