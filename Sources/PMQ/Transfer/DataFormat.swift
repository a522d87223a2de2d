import Foundation

/// The file formats of `import ... into` and `export ... to` (docs/language.md, “Data in and out”), named by the
/// file's extension. The one place that maps an extension to a format.
enum DataFormat: String {
    case csv, tsv, json, markdown, html, ics, svg, mspdi

    /// The lower-cased extension of a path, without the dot ("" when there is none).
    static func fileExtension(_ path: String) -> String {
        URL(fileURLWithPath: path).pathExtension.lowercased()
    }

    private static let byExtension: [String: DataFormat] = [
        "csv": .csv, "tsv": .tsv, "tab": .tsv, "json": .json, "md": .markdown, "markdown": .markdown,
        "html": .html, "htm": .html, "ics": .ics, "svg": .svg, "xml": .mspdi,
    ]

    static func of(_ path: String) -> DataFormat? { byExtension[fileExtension(path)] }

    /// `import ... into` reads CSV, TSV and JSON.
    static func forImport(_ path: String) -> DataFormat? {
        guard let f = of(path), [.csv, .tsv, .json].contains(f) else { return nil }
        return f
    }

    static func importRefusal(_ path: String) -> String {
        if of(path) == .mspdi {
            return "an MS Project file is imported whole, as a new project: import \"\(path)\" (without into)"
        }
        let ext = fileExtension(path)
        return "import ... into reads .csv, .tsv and .json files, not \(ext.isEmpty ? "a file without an extension" : ".\(ext)")"
    }

    /// Why `export` cannot write `path` for this query (nil: it can).
    static func exportProblem(_ path: String, query: TQuery?) -> String? {
        guard let f = of(path) else {
            let ext = fileExtension(path)
            return "export writes .csv, .tsv, .json, .md, .html, .ics, .svg or (for the project) .xml, not \(ext.isEmpty ? "a file without an extension" : ".\(ext)")"
        }
        guard let query else {
            return f == .mspdi ? nil : "export project writes MS Project XML: name a .xml file (or export a query, like export tasks to \"\(URL(fileURLWithPath: path).lastPathComponent)\")"
        }
        switch f {
        case .mspdi:
            return "MS Project XML holds a whole project: write export project to \"\(URL(fileURLWithPath: path).lastPathComponent)\""
        case .ics, .svg:
            if query.entity.table != "tasks" || query.shape != .rows || !query.groupBy.isEmpty {
                return "\(f == .ics ? "iCalendar" : "an SVG Gantt chart") is made of tasks: export a query of tasks or milestones, without group by"
            }
            return nil
        default:
            return nil
        }
    }
}
