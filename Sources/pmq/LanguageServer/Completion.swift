import PMQ

extension LanguageServer {
    /// `textDocument/completion`: the shell's completer, given the document's text before
    /// the cursor (checked, never run, so the script's own names are known).
    func completion(_ doc: TextDocument, _ session: Session, _ params: [String: Any]) -> Any? {
        guard let p = TextDocument.Position(params.object("position")) else { return [Any]() }
        let offset = doc.byteOffset(p)
        let c = LanguageServer.cursorContext(doc, offset)
        // The statements before the one being typed were checked with the document: their
        // names come from there, and only the statement being typed is read again.
        let scope = doc.check?.scope(before: doc.pmqOffset(c.beforeEnd))
        let before = doc.text(from: doc.documentOffset(scope?.statementStart ?? 0), to: c.beforeEnd)
        let completer = scope.map { Completer(session: session, scope: $0) } ?? Completer(session: session)
        let candidates = completer.complete(before: before, word: c.word, inString: c.inString)
        let variables = Set(scope?.variableNames ?? [])
        let range = doc.range(SourceRange(doc.pmqOffset(c.wordStart), doc.pmqOffset(offset)))
        let items: [[String: Any]] = candidates.map { candidate in
            let label = c.inString ? candidate : String(candidate.split(separator: ".").last ?? Substring(candidate))
            return [
                "label": label,
                "kind": LanguageServer.completionKind(candidate, inString: c.inString, variables: variables, schema: session.schema),
                "filterText": candidate,
                "textEdit": ["range": range, "newText": candidate],
            ]
        }
        return ["isIncomplete": false, "items": items]
    }

    /// The word being typed and whether it is inside a string: a string's word starts after
    /// its opening quote, any other word at the start of the name or dotted path.
    static func cursorContext(_ doc: TextDocument, _ offset: Int) -> (word: String, wordStart: Int, beforeEnd: Int, inString: Bool) {
        let bytes = doc.bytes
        var lineStart = offset
        while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var quote: Int?
        var i = lineStart
        while i < offset {
            let b = bytes[i]
            if let _ = quote {
                if b == UInt8(ascii: "\\") { i += 1 } else if b == UInt8(ascii: "\"") { quote = nil }
            } else if b == UInt8(ascii: "\"") {
                quote = i
            } else if b == UInt8(ascii: "#") {
                break  // a comment: nothing to complete in it, but the word rule below still applies
            }
            i += 1
        }
        if let q = quote {
            return (String(decoding: bytes[(q + 1)..<offset], as: UTF8.self), q + 1, q, true)
        }
        var start = offset
        while start > lineStart, isWordByte(bytes[start - 1]) { start -= 1 }
        return (String(decoding: bytes[start..<offset], as: UTF8.self), start, start, false)
    }

    private static func isWordByte(_ b: UInt8) -> Bool {
        b >= 0x80 || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
            || (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    /// LSP CompletionItemKind: Text 1, Function 3, Field 5, Variable 6, Class 7 (an entity),
    /// Value 12, Keyword 14, EnumMember 20, Constant 21.
    static func completionKind(_ candidate: String, inString: Bool, variables: Set<String>, schema: Schema) -> Int {
        if inString { return 12 }
        let word = candidate.split(separator: ".").last.map(String.init) ?? candidate
        let lower = word.lowercased()
        if candidate.hasSuffix("(") || candidate.hasSuffix(")") { return 3 }
        if variables.contains(lower) { return 6 }
        if Keywords.constants.contains(lower) { return 21 }
        if schema.entities.contains(where: { $0.field(word) != nil }) { return 5 }
        if let first = candidate.split(separator: " ").first, Keywords.contains(String(first)) { return 14 }
        if schema.entities.contains(where: { $0.plural == lower }) { return 7 }
        if candidate == "\"" { return 1 }
        return 20
    }
}
