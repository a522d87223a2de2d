import Foundation
import Plot

/// `export <query> to "F"` and `export project to "F.xml"` (docs/language.md, “Data in and out”): the file's
/// extension names the format. Files are written next to their final name and moved
/// into place when the run commits, so a script that fails (or a dry run) writes nothing.
struct Exporter {
    let session: SessionContext
    let shownPath: String
    let path: String
    let range: SourceRange

    func run(_ query: TQuery?) throws -> ChangeReport {
        guard let format = DataFormat.of(path) else {
            throw RuntimeError(code: .unsupportedFile, message: DataFormat.exportProblem(shownPath, query: query) ?? "unknown file type", range: range)
        }
        if let problem = DataFormat.exportProblem(shownPath, query: query) {
            throw RuntimeError(code: .invalidValue, message: problem, range: range)
        }
        let note = "to \(shownPath)"
        guard let query else {
            let (data, tasks) = try MSProjectExporter(session: session).export(range)
            try write(data)
            return ChangeReport(verb: "exported", entity: "task", count: tasks, detail: nil, note: note)
        }
        let entity = query.entity.singular
        switch format {
        case .svg:
            // The Gantt chart of the query's tasks (docs/language.md, “Pictures”), drawn by the pictures layer.
            let svg = try GanttSVG.render(query, in: session)
            try write(Data(svg.utf8))
            return ChangeReport(verb: "exported", entity: entity, count: try session.ids(of: query).count, detail: nil, note: note)
        case .ics:
            let (text, n) = try ICalendarExport(session: session).calendar(of: session.ids(of: query))
            try write(Data(text.utf8))
            return ChangeReport(verb: "exported", entity: entity, count: n, detail: nil, note: note)
        case .mspdi:
            throw RuntimeError(code: .unsupportedFile, message: DataFormat.exportProblem(shownPath, query: query) ?? "", range: range)
        case .csv, .tsv, .json, .markdown, .html:
            let result = try session.runQuery(query)
            // The report counts what the file holds: the entity's rows, else a grouped or
            // pivoted query's rows, else the one value of a `count` or aggregate (R5).
            var count = 1
            var written = "value"
            if case .rows(_, let rows, _) = result {
                count = rows.count
                written = query.groupBy.isEmpty && !query.aggregatesOnly && query.pivot == nil ? entity : "row"
            }
            // The result's bytes are written by the renderer into one buffer, no String between.
            var bytes: [UInt8] = []
            switch format {
            case .csv: bytes = [0xEF, 0xBB, 0xBF]; _ = OutputFormat.csv.write(result, into: &bytes)   // the BOM: Excel reads UTF-8
            case .tsv: _ = OutputFormat.tsv.write(result, into: &bytes)
            case .json: _ = OutputFormat.json.write(result, into: &bytes)
            case .markdown: _ = OutputFormat.markdown.write(result, into: &bytes)
            default: bytes = Array(Exporter.page(title: URL(fileURLWithPath: shownPath).deletingPathExtension().lastPathComponent, result).utf8)
            }
            bytes.append(10)
            try write(Data(bytes))
            return ChangeReport(verb: "exported", entity: written, count: count, detail: nil, note: note)
        }
    }

    /// `export <query of tasks> to "F.json" as taskwarrior`.
    func runTaskwarrior(_ query: TQuery) throws -> ChangeReport {
        let (text, n) = try TaskwarriorExporter(session: session).json(of: session.ids(of: query))
        try write(Data(text.utf8))
        return ChangeReport(verb: "exported", entity: "task", count: n, detail: nil, note: "to \(shownPath)")
    }

    /// A self-contained HTML page around the result's table.
    static func page(title: String, _ result: StatementResult) -> String {
        let body: Node<HTML.BodyContext>
        if case .rows(let columns, let rows, _) = result {
            // Written and escaped by HTMLTableWriter (no node per cell): the same bytes Plot wrote.
            body = .raw(OutputFormat.htmlTable(columns: columns, rows: rows))
        } else {
            body = .p(.text(OutputFormat.plain(OutputFormat.scalarValue(result))))
        }
        let css = "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
            + "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.num{text-align:right}th{background:#f3f3f3}"
        return HTML(.head(.meta(.charset(.utf8)), .element(named: "title", text: title), .style(css)), .body(.h1(.text(title)), body)).render()
    }

    /// Writes beside the target; the session moves it into place at commit.
    private func write(_ data: Data) throws {
        let target = URL(fileURLWithPath: path)
        let folder = target.deletingLastPathComponent()
        try FileSandbox.requireFolder(of: path, shown: shownPath, range)
        let temp = folder.appendingPathComponent(".\(target.lastPathComponent).pmq-\(ProcessInfo.processInfo.processIdentifier).tmp")
        do { try data.write(to: temp) } catch {
            throw RuntimeError(code: .cannotWrite, message: "cannot write \(shownPath): \(FileProblem.describe(error))", range: range)
        }
        // The same file written twice in one run: the last write wins (same temporary file).
        session.pendingExports.removeAll { $0.final == target.path }
        session.pendingExports.append((temp: temp.path, final: target.path, shown: shownPath, range: range))
    }
}

extension OutputFormat {
    static func scalarValue(_ r: StatementResult) -> Value {
        if case .scalar(let v, _) = r { return v }
        return .null
    }
}
