import Foundation

/// One cell of an imported file, as the file gave it: CSV and TSV cells are text; JSON
/// also has numbers, booleans, lists and null.
enum Cell {
    case null, text(String), number(Double), bool(Bool), list([String])
}

/// `import "F.csv" into <entity>` (docs/language.md, “Data in and out”): CSV, TSV or a JSON array of objects, one
/// row of the entity per record. The header (the keys) names fields; every row goes
/// through the same rules as `add`, so an import can do nothing `add` would refuse. The
/// first bad cell stops it with an error at `F.csv:LINE:COLUMN` and the run's transaction
/// keeps nothing; a good import is one change set (`undo` removes it).
struct DataImporter {
    let session: SessionContext
    /// The path as the statement wrote it: diagnostics name the file this way.
    let shownPath: String
    let path: String
    let entity: EntityDef
    let range: SourceRange

    /// Where a record starts: its line (CSV, TSV) or its index in the array (JSON).
    enum RecordPosition { case line(Int), object(Int) }

    /// Columns from the header: the field each one fills, nil for one that is read and
    /// ignored (computed fields, `id`: an export of a query can be imported back).
    /// A class: a row's cells refer to their column without copying its field definition.
    final class Column {
        let name: String
        let field: FieldDef?
        let index: Int
        init(name: String, field: FieldDef?, index: Int) { self.name = name; self.field = field; self.index = index }
    }
    typealias Cells = [(column: Column, cell: Cell)]

    /// A failure inside the file: the message, the record, and the column (nil: the record).
    struct CellError: Error { var message: String; var column: Int?; var notes: [String] = [] }

    /// A reference to a row of the entity being imported (a person's `backup`): resolved once
    /// every row of the file is in, so it may name a row further down or two rows may name
    /// each other. Tasks' parents come from their codes (TaskRowWriter).
    struct LaterReference {
        var row: Int64
        var field: FieldDef
        var key: String
        var column: Int
        var position: RecordPosition
    }
    final class LaterReferences { var items: [LaterReference] = [] }

    func run() throws -> ChangeReport {
        guard let format = DataFormat.forImport(path) else {
            throw RuntimeError(code: .unsupportedFile, message: DataFormat.importRefusal(shownPath), range: range)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RuntimeError(code: .cannotRead, message: "cannot read \(shownPath)", range: range)
        }
        let rows = format == .json ? nil : estimatedRows()
        let progress = session.progress(label: "importing \(URL(fileURLWithPath: shownPath).lastPathComponent)", totalRows: rows)
        var count = 0
        var position = RecordPosition.line(1)
        let taskRows = entity.table == "tasks" ? TaskRowWriter(session: session, entity: entity) : nil
        taskRows?.file = ImportPlace.File(path: path, shown: shownPath, format: format)
        let later = LaterReferences()
        do {
            do {
                // A file of many task rows writes them without the tasks table's indexes from
                // its first row (DeferredTaskIndexes), not from its 4,097th.
                if taskRows != nil, let rows { try session.startTaskRows(expected: rows) }
                if format == .json {
                    try readJSON(willRead: { if taskRows != nil { try session.startTaskRows(expected: $0) } }) { cells, index in
                        position = .object(index)
                        try add(cells, taskRows, line: index, at: position, later)
                        count += 1
                        progress?.advance(count)
                    }
                } else {
                    try readDelimited(format == .tsv ? 9 : 44) { cells, line in
                        position = .line(line)
                        try add(cells, taskRows, line: line, at: position, later)
                        count += 1
                        progress?.advance(count)
                    }
                }
                try taskRows?.flushPending()
                try resolve(later.items)
                // A large file's rows went in without the tasks table's indexes: built again now.
                try session.endTaskRows()
                // The roll-up after the rows starts from their parents' codes (Rollup.afterImport).
                if let taskRows { session.importedTaskRows = taskRows.rollupSeed }
            } catch let c as DeferredTaskIndexes.Clash {
                progress?.finish()
                throw clash(c, format)
            } catch let e as RuntimeError where e.code == .limitReached {
                throw e
            } catch {
                // The first error is reported: a row before this one that repeated an older
                // task's code, found when the indexes are built again, comes first (the rows
                // still held for one INSERT are written for it; a failure to is not the error).
                try? taskRows?.flushPending()
                if let c = session.earlierTaskClash() {
                    progress?.finish()
                    throw clash(c, format)
                }
                throw error
            }
        } catch let e as CellError {
            progress?.finish()
            throw located(e.message, e.notes, position, column: e.column)
        } catch let e as RuntimeError where e.source == nil && e.id != .io && e.id != .runtime {
            // A refusal from `add`'s rules: its range names the cell (see `add`). Reading
            // errors and stops (limits, Ctrl-C) stay at the statement.
            progress?.finish()
            throw located(e.message, e.notes, position, column: e.range.start > 0 ? e.range.start - 1 : nil)
        }
        progress?.finish()
        if entity.table == "projects" { session.caches.forgetProjects() }
        return ChangeReport(verb: "imported", entity: entity.singular, count: count, detail: nil)
    }

    // MARK: - Reading

    /// The header, then each record with the line it starts on, read a chunk of the file at
    /// a time (`DelimitedReader`: CSV.swift reads every record with a quote; BOM, quoted
    /// newlines and CRLF as Excel writes them).
    private func readDelimited(_ delimiter: UInt8, _ body: (Cells, Int) throws -> Void) throws {
        var reader: DelimitedReader
        do { reader = try DelimitedReader(path: path, delimiter: delimiter) } catch {
            throw RuntimeError(code: .cannotRead, message: "cannot read \(shownPath)", range: range)
        }
        defer { reader.close() }
        var columns: [Column]?
        var cells: Cells = []
        var crlfFile = false
        while true {
            let next: DelimitedReader.Record?
            do { next = try reader.next() } catch let failure as DelimitedReader.Failure {
                switch failure {
                case .notUTF8(let line):
                    throw located("cannot read \(shownPath): it is not UTF-8 text (save it as CSV UTF-8)", [], .line(line), column: nil)
                case .unclosedQuote(let line, let column):
                    throw located("a quoted cell is never closed: its quote runs to the end of the file", ["close it with a \" (a quote inside a cell is written \"\")"],
                                  .line(line), column: column)
                case .io(let why):
                    throw RuntimeError(code: .cannotRead, message: "cannot read \(shownPath): \(why)", range: range)
                }
            }
            guard let record = next else { break }
            let start = record.line
            if record.cells.count == 1, record.cells[0].isEmpty { continue }   // a blank line
            guard let header = columns else {
                crlfFile = record.endsInCRLF
                columns = try mapHeader(record.cells)
                continue
            }
            if record.cells.count > header.count {
                throw located("this row has \(record.cells.count) cells but the header has \(header.count)", [], .line(start), column: header.count)
            }
            // A short row is most often a file cut off or a line broken in an unquoted cell:
            // every row gives every column, an empty cell being a field not given (V12).
            if record.cells.count < header.count {
                throw located("this row has \(record.cells.count) \(record.cells.count == 1 ? "cell" : "cells") but the header has \(header.count)",
                              ["give every column, leaving a cell empty for a field not given (a,b,,)"], .line(start), column: record.cells.count - 1)
            }
            cells.removeAll(keepingCapacity: true)
            for (i, text) in record.cells.enumerated() where !text.isEmpty {
                // A quoted cell keeps its line breaks as written (so an export imports back
                // unchanged, a CR LF in a note included), except in a file whose lines end in
                // CR LF: there a CR LF inside a cell is that file's line break, read as LF.
                cells.append((header[i], .text(crlfFile && record.breaks > 0 && text.utf8.contains(13) ? text.replacingOccurrences(of: "\r\n", with: "\n") : text)))
            }
            do { try body(cells, start) } catch let e as CellError {
                // Columns are named by header position: map a column back to its index.
                throw located(e.message, e.notes, .line(start), column: e.column)
            }
        }
        if columns == nil { throw located("the file is empty: the first line must name the fields", [], .line(1), column: nil) }
    }

    /// A JSON array of objects, as `--format json` prints a query.
    /// `willRead`: told how many records there are, before the first.
    private func readJSON(willRead: (Int) throws -> Void, _ body: (Cells, Int) throws -> Void) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw RuntimeError(code: .cannotRead, message: "cannot read \(shownPath)", range: range) }
        // Text that is not UTF-8 is said so, at its first bad byte (as the CSV reader says it),
        // not reported as a value of the wrong kind (R18).
        if let bad = DataImporter.firstInvalidUTF8(data) {
            let file = SourceFile(name: shownPath, text: String(decoding: data, as: UTF8.self))
            var e = RuntimeError(code: .cannotRead, message: "cannot read \(shownPath): it is not UTF-8 text (save it as UTF-8)", range: SourceRange(bad, bad + 3))
            e.source = file
            throw e
        }
        let array: [[String: JSONCell]]
        do { array = try JSONDecoder().decode([[String: JSONCell]].self, from: data) } catch {
            throw jsonShapeError(error)
        }
        try willRead(array.count)
        var known: [String: Column] = [:]
        for (index, object) in array.enumerated() {
            var cells: Cells = []
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                let column: Column
                if let c = known[key] { column = c } else {
                    do { column = try mapColumn(key, at: known.count, seen: []) } catch let e as CellError {
                        throw located(e.message, e.notes, .object(index), column: nil, key: key)
                    }
                    known[key] = column
                }
                if case .null = value.cell { continue }
                cells.append((column, value.cell))
            }
            func keyOf(_ i: Int?) -> String? { i.flatMap { i in known.first { $0.value.index == i }?.key } }
            do { try body(cells, index) } catch let e as CellError {
                throw located(e.message, e.notes, .object(index), column: nil, key: keyOf(e.column))
            } catch let e as RuntimeError where e.source == nil && e.id != .io && e.id != .runtime {
                throw located(e.message, e.notes, .object(index), column: nil, key: keyOf(e.range.start > 0 ? e.range.start - 1 : nil))
            }
        }
    }

    /// A JSON file that is not an array of objects of cells, placed where it goes wrong: the
    /// element that is not an object, the value that is not a cell (`F.json:LINE:COLUMN`).
    private func jsonShapeError(_ error: Error) -> RuntimeError {
        let context: DecodingError.Context?
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.dataCorrupted(let c), DecodingError.valueNotFound(_, let c): context = c
        default: context = nil
        }
        let whole = "not a JSON array of objects: expected a JSON array of objects, as pmq --format json prints a query"
        guard let path = context?.codingPath, let row = path.first?.intValue else {
            return located(whole, [], .line(1), column: nil)
        }
        let text = (FileManager.default.contents(atPath: self.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let file = SourceFile(name: shownPath, text: text)
        var e: RuntimeError
        if path.count == 1 {
            e = RuntimeError(code: .invalidValue, message: "row \(row + 1) is not a JSON object: each element of the array is one row, an object of field names and values",
                             range: TaskwarriorImporter.arrayElement(in: file, index: row))
        } else {
            let key = path[1].stringValue
            let at = DataLocator.jsonValue(in: file, object: row, key: key)
            let first = file.slice(SourceRange(at.start, min(at.start + 1, at.end)))
            if let number = first.first, number.isNumber || number == "-" {
                // Read as a JSON number, but beyond what a double holds (1e400).
                let digits = file.slice(at).prefix { $0.isNumber || "+-.eE".contains($0) }
                e = RuntimeError(code: .outOfRange, message: "the value of \"\(key)\" in row \(row + 1), \(digits), is out of range: numbers are at most about 1.8e308",
                                 range: SourceRange(at.start, at.start + digits.utf8.count))
            } else {
                let found = first == "{" ? "an object" : "a list with values that are not text"
                e = RuntimeError(code: .invalidValue, message: "the value of \"\(key)\" in row \(row + 1) must be text, a number, true/false, null or a list of text, not \(found)",
                                 range: at)
            }
        }
        e.source = file
        return e
    }

    /// The offset of the first byte that does not belong to well-formed UTF-8, or nil.
    static func firstInvalidUTF8(_ data: Data) -> Int? { UTF8Check.firstInvalid(data) }

    /// Rows in the file, roughly (its line count less the header), for the progress bar's time
    /// left and for dropping the tasks table's indexes before the first row. Not counted for a
    /// file too small to hold `DeferredTaskIndexes.minimumRows` rows of a few bytes each.
    private func estimatedRows() -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, size >= DeferredTaskIndexes.minimumRows * 8,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var lines = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { raw in
                guard var p = raw.baseAddress else { return }
                var left = raw.count
                while left > 0, let hit = memchr(p, 10, left) {
                    lines += 1
                    let next = UnsafeRawPointer(hit) + 1
                    left -= next - p
                    p = next
                }
            }
        }
        return max(0, lines - 1)
    }

    // MARK: - Header

    private func mapHeader(_ names: [String]) throws -> [Column] {
        var out: [Column] = []
        var seen: Set<String> = []
        for (i, raw) in names.enumerated() {
            let c = try mapColumn(raw, at: i, seen: seen)
            if let f = c.field { seen.insert(f.name) }
            out.append(c)
        }
        return out
    }

    private func mapColumn(_ raw: String, at i: Int, seen: Set<String>) throws -> Column {
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CellError(message: "column \(i + 1) has no name: the first line must name the fields", column: i) }
        guard let f = entity.field(name.lowercased()) else {
            throw CellError(message: "unknown column \"\(raw)\": \(entity.plural) have no such field\(Suggestions.didYouMean(name, entity.fieldNames))", column: i,
                            notes: ["fields of \(entity.plural): " + entity.fields.filter { !$0.isComputed }.map(\.name).joined(separator: ", ")])
        }
        if seen.contains(f.name) { throw CellError(message: "column \"\(raw)\" is given twice", column: i) }
        // Computed columns (an export's `duration`, `score`, `level`, ...) and `id` are read
        // and ignored, but a task's `duration` sets its finish when no finish is given.
        let settable = f.name != "id" && (!f.isComputed || (entity.table == "tasks" && f.name == "duration"))
        return Column(name: f.name, field: settable ? f : nil, index: i)
    }

    // MARK: - Rows

    /// One record through `add`'s rules. Ranges in the TAdd are cell numbers + 1 (0: the row),
    /// turned into a place in the file if a rule refuses the row.
    private func add(_ cells: Cells, _ taskRows: TaskRowWriter?, line: Int, at position: RecordPosition, _ later: LaterReferences) throws {
        try session.step()
        if let taskRows { return try taskRows.add(cells, line: line) }
        var a = TAdd(entity: entity, milestone: entity.onlyMilestones, values: [], link: nil, duration: nil, range: SourceRange(0, 0))
        var pred: (Value, Int)?, succ: (Value, Int)?
        var durationCell: (Double, Bool, Int)?
        var lagInWorkdays = false
        var ownRows: [(field: FieldDef, key: String, column: Int)] = []
        for (column, cell) in cells {
            guard let f = column.field else { continue }
            let r = SourceRange(column.index + 1, column.index + 2)
            if f.name == "duration" {
                durationCell = try ImportCell.duration(cell, f, column: column.index).map { ($0.days, $0.workdays, column.index) }
                continue
            }
            if entity.table == "dependencies", f.name == "lag" {
                // `2wd` is two working days, any other lag calendar days (LagUnits); a file's own
                // lag_unit column, as an export writes it, says so too.
                if let lag = try ImportCell.duration(cell, f, column: column.index) {
                    a.values.append((f, .duration(lag.days), r))
                    lagInWorkdays = lag.workdays
                }
                continue
            }
            let v = try ImportCell.value(cell, f, column: column.index)
            if v.isNull { continue }
            if case .reference(let key) = v, case .reference(let target) = f.type, target == entity.plural {
                ownRows.append((f, key, column.index))
                continue
            }
            if entity.table == "dependencies", f.name == "pred" || f.name == "succ" {
                let key: Value = .text(ConstantEvaluator.text(v))
                if f.name == "pred" { pred = (key, column.index) } else { succ = (key, column.index) }
                continue
            }
            a.values.append((f, v, r))
        }
        if entity.table == "dependencies" {
            guard let p = pred, let s = succ else {
                throw CellError(message: "a dependency needs both pred and succ", column: nil)
            }
            a.link = (p.0, s.0, SourceRange(min(p.1, s.1) + 1, max(p.1, s.1) + 2))
            if a.value("lag_unit") == nil, let unit = entity.field("lag_unit") {
                a.values.append((unit, .text(lagInWorkdays ? "wd" : "d"), SourceRange(0, 0)))
            }
        }
        if let d = durationCell, a.value("finish") == nil, a.value("start") != nil {
            a.duration = (d.0, d.1, SourceRange(d.2 + 1, d.2 + 2))
        }

        // The rules of `add leave` and `add workday` hold for their rows too: a leave without
        // a finish is one day; a make-up day is a Saturday or Sunday.
        if entity.table == "leaves", a.value("finish") == nil, let s = a.values.first(where: { $0.field.name == "start" }),
           let f = entity.field("finish") {
            a.values.append((f, s.value, s.range))
        }
        if entity.table == "workdays", case .date(let d)? = a.value("day"), !d.isWeekend {
            throw CellError(message: "\(d.iso) is a weekday, a working day already: a make-up day is a Saturday or Sunday",
                            column: cells.first { $0.column.name == "day" }?.column.index)
        }
        for f in entity.fields where f.required && a.link == nil && a.value(f.name) == nil {
            throw CellError(message: "a\(entity.singular.first.map { "aeiou".contains($0) } == true ? "n" : "") \(entity.singular) needs a \(f.name): this row has none", column: nil)
        }
        if entity.table == "people", let c = a.value("capacity")?.number,
           let problem = PersonRules.capacityProblem(c, kind: a.value("kind").map { ConstantEvaluator.text($0) }) {
            throw CellError(message: problem, column: cells.first { $0.column.name == "capacity" }?.column.index)
        }
        if entity.table == "people", let b = ownRows.first(where: { $0.field.name == "backup" }), case .text(let n)? = a.value("name"), b.key == n {
            throw CellError(message: "\(n) cannot be their own backup", column: b.column)
        }
        _ = try AddExecutor(session: session).run(a)
        let id = session.db.lastInsertID
        try session.journal.added(entity.table, id)
        later.items += ownRows.map { LaterReference(row: id, field: $0.field, key: $0.key, column: $0.column, position: position) }
    }

    /// Sets the references to rows of this file once all are in. A key found neither in the
    /// file nor in the model is refused at its cell. Part of the rows' own change set: the
    /// journal's entry for the added rows covers the value (undo removes the rows).
    private func resolve(_ later: [LaterReference]) throws {
        for r in later {
            guard let column = r.field.column else { continue }
            let id: Int64
            do { id = try AddExecutor(session: session).resolve(entity.plural, r.key, range, project: nil) } catch let e as RuntimeError {
                throw located(e.message, e.notes, r.position, column: r.column, key: r.field.name)
            }
            try session.db.run(ImportSQL.setReference(table: entity.table, column: column), [.integer(id), .integer(r.row)])
        }
    }

    // MARK: - Locating

    /// A row that repeated the code of a task from before the import, found when the tasks
    /// table's indexes were built again: refused at its WBS cell, as `add task` refuses it.
    private func clash(_ c: DeferredTaskIndexes.Clash, _ format: DataFormat) -> RuntimeError {
        let e = AddExecutor.duplicate(c.wbs, c.range, session.db)
        let column = c.range.start > 0 ? c.range.start - 1 : nil
        if format == .json { return located(e.message, e.notes, .object(c.line), column: nil, key: "wbs") }
        return located(e.message, e.notes, .line(c.line), column: column)
    }

    /// A diagnostic in the data file: `F.csv:LINE:COLUMN`, the line and a caret under the cell.
    private func located(_ message: String, _ notes: [String], _ position: RecordPosition, column: Int?, key: String? = nil) -> RuntimeError {
        DataImporter.located(RuntimeError(code: .invalidValue, message: message, range: .none, notes: notes),
                             path: path, shown: shownPath, position, column: column, key: key)
    }

    /// `e` placed in the data file at `path` (named `shown`): its record, and its cell.
    static func located(_ e: RuntimeError, path: String, shown: String, _ position: RecordPosition, column: Int?, key: String? = nil) -> RuntimeError {
        let text = (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let file = SourceFile(name: shown, text: text)
        let at: SourceRange
        switch position {
        case .line(let line): at = DataLocator.cell(in: file, line: line, column: column, delimiter: DataFormat.of(path) == .tsv ? 9 : 44)
        case .object(let index): at = DataLocator.jsonValue(in: file, object: index, key: key)
        }
        var e = e
        e.range = at
        e.source = file
        return e
    }
}

/// Where an imported row's cell is, kept until the run commits: a task left without its
/// parent is refused then, at its WBS cell in the file (`F.csv:LINE:COLUMN`).
struct ImportPlace {
    struct File {
        let path: String
        let shown: String
        let format: DataFormat
        /// The place of the WBS cell of the record at `record` (its line, or its index in a JSON array).
        func place(record: Int) -> ImportPlace { ImportPlace(file: self, record: record) }
    }
    let file: File
    let record: Int

    /// `e`, whose range is the cell's number + 1, placed at that cell in the file.
    func locate(_ e: RuntimeError) -> RuntimeError {
        let column = e.range.start > 0 ? e.range.start - 1 : nil
        if file.format == .json {
            return DataImporter.located(e, path: file.path, shown: file.shown, .object(record), column: nil, key: "wbs")
        }
        return DataImporter.located(e, path: file.path, shown: file.shown, .line(record), column: column)
    }
}

/// A JSON value as a cell: JSONDecoder tells booleans from numbers, as JSONSerialization does not.
struct JSONCell: Decodable {
    var cell: Cell
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { cell = .null }
        else if let b = try? c.decode(Bool.self) { cell = .bool(b) }
        else if let n = try? c.decode(Double.self) { cell = .number(n) }
        else if let s = try? c.decode(String.self) { cell = .text(s) }
        else if let xs = try? c.decode([String].self) { cell = .list(xs) }
        else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a value must be text, a number, true/false, null or a list of text")
        }
    }
}
