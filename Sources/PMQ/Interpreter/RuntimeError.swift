/// A statement refused or failed while running; becomes a located diagnostic.
struct RuntimeError: Error {
    /// The catalogue's id (MessageID); its kind is the diagnostic's kind.
    var code: MessageID
    var message: String
    var range: SourceRange
    var notes: [String] = []
    /// The text the range points into when it is not the running script's: an imported file.
    var source: SourceFile?

    /// The coarse kind, from the catalogue.
    var id: Diagnostic.ID { code.kind }

    var diagnostic: Diagnostic { Diagnostic(code, message, at: range, notes: notes, source: source) }
}

extension RuntimeError {
    init(_ code: MessageID, _ message: String, range: SourceRange, notes: [String] = [], source: SourceFile? = nil) {
        self.init(code: code, message: message, range: range, notes: notes, source: source)
    }
}
