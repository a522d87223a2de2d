/// The one place that turns a diagnostic into text:
///
///     script.pmq:3:13: error: unknown field "ownr" of tasks
///     tasks where ownr = "DBA"
///                 ^~~~
///     note: did you mean "owner"?
public enum DiagnosticRenderer {
    /// Longer lines are shown as a window around the caret, so an error in a 40 KB line
    /// prints a few hundred bytes, not the whole line again for every error in it.
    static let maxLineBytes = 500
    static let contextBefore = 200
    /// At most this many diagnostics are printed; a count of the rest follows.
    public static let maxShown = 100

    public static func render(_ d: Diagnostic) -> String {
        guard let source = d.source, d.range != .none || source.bytes.isEmpty else {
            // No position (a limit, the database): name the text but point at nothing in it.
            let prefix = d.source.map { "\($0.name): " } ?? ""
            return (["\(prefix)error: \(d.message)"] + d.notes.map { "note: \($0)" }).joined(separator: "\n")
        }
        let (line, column) = source.location(of: d.range.start)
        var out = "\(source.name):\(line):\(column): error: \(d.message)\n"
        let full = source.lineText(containing: d.range.start)
        let lineStart = source.lineStart(containing: d.range.start)
        let lineEnd = lineStart + full.utf8.count
        let caret = min(max(d.range.start, lineStart), lineEnd)
        var from = lineStart, to = lineEnd
        if lineEnd - lineStart > maxLineBytes {
            from = source.characterStart(max(lineStart, caret - contextBefore))
            to = source.characterStart(min(lineEnd, from + maxLineBytes))
        }
        let text = (from > lineStart ? "…" : "") + source.slice(SourceRange(from, to)) + (to < lineEnd ? "…" : "")
        out += text + "\n"
        let before = (from > lineStart ? "…" : "") + source.slice(SourceRange(from, caret))
        let underlined = source.slice(SourceRange(caret, min(max(d.range.end, caret), to)))
        // Tabs keep their width so the caret stays under the text; wide (CJK) characters take two cells.
        let pad = before.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        let width = max(1, DisplayWidth.of(underlined))
        out += pad + "^" + String(repeating: "~", count: width - 1)
        for note in d.notes { out += "\nnote: \(note)" }
        return out
    }

    public static func render(_ ds: [Diagnostic]) -> String {
        var lines = ds.prefix(maxShown).map(render)
        if ds.count > maxShown { lines.append("error: \(ds.count - maxShown) more errors not shown") }
        return lines.joined(separator: "\n")
    }
}
