import PMQ

extension LanguageServer {
    /// `textDocument/hover`: a script name shows its declaration, a field its type and
    /// meaning, an entity its fields, a keyword its `.help` text.
    func hover(_ doc: TextDocument, _ session: Session, _ params: [String: Any]) -> Any? {
        guard let p = TextDocument.Position(params.object("position")) else { return nil }
        let source = doc.source
        let offset = doc.pmqOffset(doc.byteOffset(p))
        guard let (word, range) = ScriptOutline.word(at: offset, in: source) else { return nil }
        let path = LanguageServer.dottedPath(endingWith: range, in: doc)
        let scope = doc.check?.scope(before: path.start)
        let before = doc.text(from: doc.documentOffset(scope?.statementStart ?? 0), to: doc.documentOffset(path.start))
        let text: String?
        if path.text == word, let d = ScriptOutline.definition(of: word, at: offset, in: source) {
            text = "```pmq\n\(d.detail)\n```"
        } else if let described = (scope.map { Completer(session: session, scope: $0) } ?? Completer(session: session))
                    .describe(before: before, word: path.text) {
            text = "```\n\(described)\n```"
        } else if let help = Help.entry(for: word) {
            text = "```\n\(help)\n```"
        } else {
            text = nil
        }
        guard let text else { return nil }
        return ["contents": ["kind": "markdown", "value": text], "range": doc.range(range)]
    }

    /// `owner.backup.department` when the hovered word is `department`: the path it ends.
    static func dottedPath(endingWith r: SourceRange, in doc: TextDocument) -> (text: String, start: Int) {
        let bytes = doc.bytes
        var start = doc.documentOffset(r.start)
        let end = doc.documentOffset(r.end)
        while start >= 2, bytes[start - 1] == UInt8(ascii: "."), isNameByte(bytes[start - 2]) {
            start -= 1
            while start > 0, isNameByte(bytes[start - 1]) { start -= 1 }
        }
        return (String(decoding: bytes[start..<end], as: UTF8.self), doc.pmqOffset(start))
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        b >= 0x80 || b == UInt8(ascii: "_") || (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }
}
