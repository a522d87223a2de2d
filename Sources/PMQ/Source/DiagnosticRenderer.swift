/// The one place that turns a diagnostic into text:
///
///     script.pmq:3:13: error: unknown field "ownr" of tasks
///     tasks where ownr = "DBA"
///                 ^~~~
///     note: did you mean "owner"?
public enum DiagnosticRenderer {
    public static func render(_ d: Diagnostic) -> String {
        guard let source = d.source else {
            return (["error: \(d.message)"] + d.notes.map { "note: \($0)" }).joined(separator: "\n")
        }
        let (line, column) = source.location(of: d.range.start)
        var out = "\(source.name):\(line):\(column): error: \(d.message)\n"
        let text = source.lineText(containing: d.range.start)
        out += text + "\n"
        let lineStart = source.lineStart(containing: d.range.start)
        let before = source.slice(SourceRange(lineStart, d.range.start))
        let lineEnd = lineStart + text.utf8.count
        let underlined = source.slice(SourceRange(d.range.start, min(max(d.range.end, d.range.start), lineEnd)))
        // Tabs keep their width so the caret stays under the text; wide (CJK) characters take two cells.
        let pad = before.unicodeScalars.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        let width = max(1, DisplayWidth.of(underlined))
        out += pad + "^" + String(repeating: "~", count: width - 1)
        for note in d.notes { out += "\nnote: \(note)" }
        return out
    }

    public static func render(_ ds: [Diagnostic]) -> String { ds.map(render).joined(separator: "\n") }
}
