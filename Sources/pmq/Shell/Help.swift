/// `.help` and `.help TOPIC`: each statement with examples to copy.
enum Help {
    static let topics: [(name: String, text: String)] = [
        ("queries", """
        <source> [as <name>] [where <expr>] [group by <expr>, ... [having <expr>] [pivot <v> by <c>]]
                 [select <item> [as name], ...] [order by <expr> [asc|desc], ...] [limit <n> [offset <m>]]
        <source> is an entity, a saved query, a set variable, or downstream of / upstream of <task>
          tasks where owner = "DBA" and late > 3d
          tasks where wbs under 2 select wbs, name, owner.department order by wbs
          tasks where overdue group by owner select owner, count() as n order by n desc
        """),
        ("reports", """
        if(cond, a, b)   case when c then v ... [else v] end   me (the person whose login is you)
        year(d) month(d) quarter(d) week(d) weekday(d) start_of_month(d) end_of_month(d) start_of_year(d)
        today + 1mo      tags + "x"   tags - "x"   x in (query)   x not in (query)
          tasks group by owner having count() > 3 select owner, count() as n
          tasks as t where level = 1 select wbs, (count tasks where wbs under t.wbs and overdue) as overdue_below
          downstream of 3.3.1 where status != done
          assignments where task under 3 group by task pivot role by person
          risks where status != closed group by impact pivot count() by probability order by impact desc
        """),
        ("count", """
        count <query>            a bare number
          count tasks where overdue
        """),
        ("explain", """
        explain <query>          the SQL, its arguments and SQLite's plan
          explain tasks where owner = "DBA"
        """),
        ("add", """
        add <entity> [key] field value ...
          add person "Li Wei" role "DBA" department "IT" rate 1200 backup "Zhang Min"
          add task "Migrate database" wbs 1.2.4 owner "DBA" start 2026-02-01 duration 5d
          add dependency 1.2.3 -> 1.2.4 type SS lag 2d
          add change_task change "Add SSO" task 3.2    a task the change affects (changes where not planned)
        """),
        ("update", """
        update <rows> set field = expr, ...
          update tasks where wbs under 1.2 and progress = 100 set status = done, actual_finish = today
        """),
        ("assign", """
        assign <person> [as R|A|C|I] to <rows>     unassign <person> [as ROLE] from <rows>
          assign "Li Wei" to tasks where owner = "DBA" and late > 3d
          assign "PMO" as A to milestones
        """),
        ("shift", """
        shift <rows> by <duration>      start and finish move together; 5wd skips weekends
          shift tasks where wbs under 2.1 by 3d
        """),
        ("delete", """
        delete <rows>
          delete defects where status = closed and fixed < today - 90d
        """),
        ("field", """
        add field "NAME" to <entity> type text|number|date|duration|bool|enum|<entity>
                  [values ("A", "B")] [default V]       a field like any other
        drop field "NAME" from <entity>                   undo brings it back, values and all
          add field "mlps_level" to tasks type enum values ("L2", "L3") default "L2"
          add field "reviewer" to risks type person
        """),
        ("scripts", """
        let x = expr | query     param name = default     x = expr
        for t in <rows> { ... }   if cond { ... } else { ... }   fn name(a) = expr
        print "text {expr}"       assert cond, "message"        use project "CODE"
        save query NAME = <query>   drop query NAME   show queries
        """),
        ("gantt", """
        gantt <query of tasks>   a Gantt chart fitted to the terminal: █ done ░ to do ◆ milestone
                                 [━─] summary · baseline │ today; ! and red (or ▓): critical
          gantt tasks where wbs under 2 order by wbs
        report to "F.html"       the weekly page: health, Gantt, risk heat map, RACI, overdue
          report to "weekly.html"
        """),
        ("resources", """
        add leave "Li Wei" from 2026-05-04 to 2026-05-08 [note "..."]    leaves (person, start, finish, note)
        add workday 2026-10-10 [name "..."]     a weekend day the project works (make-up day)
        add holiday 2026-10-01 [to 2026-10-07]  holidays, workdays, leaves: list and delete like any entity
        a task's working days are its owner's: schedule, 5wd on a task and shift count them
        load [where ...]            person, day, hours, capacity, over: each working day with work
          load where over            people where overallocated
        schedule level [within 200ms]   delay tasks so no one's load passes capacity; undo, --dry-run
        """),
        ("history", """
        history            change sets, newest first, with the day each was booked on
        history of 1.2.3   one task's changes
        tasks as of 2026-03-13 where ...      the model at the end of that day
        status was blocked   owner was not "Li Wei"   the field had (never had) that value
        status changed [from V] [to V] [by "user"] [after D] [before D]
        journal where entity = "tasks" and booked >= today - 7d
        save rule "NAME" <query> [severity warning|error]   check   drop rule "NAME"   show rules
        undo / redo        revert the last change set / the last undo
        begin ... commit | rollback    group shell statements into one change
        """),
        ("import", """
        import "F.csv" into <entity>     also .tsv and .json (an array of objects)
          import "tasks.csv" into tasks        the header names fields; all rows or none
        import "plan.xml" [as "CODE"]    an MS Project file, as a new project
        import "F.json" into tasks from taskwarrior   Taskwarrior's task export (uuids kept)
        """),
        ("export", """
        export <query> to "F"            .csv .tsv .json .md .html .ics (by extension)
          export tasks where overdue select wbs, name, owner, finish to "overdue.csv"
          export milestones to "milestones.ics"
        export project to "F.xml"        the project as MS Project XML
        export <query of tasks> to "F.json" as taskwarrior   for task import
        """),
        ("shell", """
        .help [topic]   .schema [entity]   .format table|csv|tsv|json|markdown|html   .timer on|off
        .maxrows N      .today YYYY-MM-DD   .read FILE   .open FILE   .quit
        Tab completes names, fields, values, keys and dot-command arguments. Ctrl-C clears the line or stops a statement.
        """),
    ]

    /// The help for a keyword or topic, for the language server's hover; nil when there is none.
    static func entry(for word: String) -> String? {
        let w = word.lowercased()
        if let hit = topics.first(where: { $0.name == w }) { return hit.text }
        if ["where", "group", "by", "select", "order", "asc", "desc", "limit", "offset"].contains(w) { return text(topic: "queries") }
        if ["unassign", "let", "param", "for", "if", "else", "fn", "print", "assert", "save", "use", "undo", "redo", "begin", "commit", "rollback"].contains(w) {
            return text(topic: w == "else" ? "if" : w)
        }
        return nil
    }

    static func text(topic: String) -> String {
        if topic.isEmpty {
            return "Topics: " + topics.map(\.name).joined(separator: ", ") + " (.help TOPIC)\n\n"
                + (topics.first { $0.name == "queries" }?.text ?? "") + "\n\n" + (topics.first { $0.name == "shell" }?.text ?? "")
        }
        let t = topic.lowercased()
        if let hit = topics.first(where: { $0.name == t || $0.name.hasPrefix(t) }) { return hit.text }
        if ["unassign"].contains(t) { return topics.first { $0.name == "assign" }?.text ?? "" }
        if ["having", "pivot", "case", "when", "downstream", "upstream", "me", "year", "month", "quarter", "week", "weekday", "mo"].contains(t) {
            return topics.first { $0.name == "reports" }?.text ?? ""
        }
        if ["let", "param", "for", "if", "fn", "print", "assert", "save", "use"].contains(t) { return topics.first { $0.name == "scripts" }?.text ?? "" }
        if ["report"].contains(t) { return topics.first { $0.name == "gantt" }?.text ?? "" }
        if ["leave", "leaves", "workday", "workdays", "holiday", "holidays", "load", "level", "within", "overallocated", "schedule"].contains(t) {
            return topics.first { $0.name == "resources" }?.text ?? ""
        }
        if ["undo", "redo", "begin", "commit", "rollback", "journal", "rules", "check", "was", "changed"].contains(t) { return topics.first { $0.name == "history" }?.text ?? "" }
        return "no help on \"\(topic)\"; topics: " + topics.map(\.name).joined(separator: ", ")
    }
}
