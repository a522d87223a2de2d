/// A statement refused or failed while running; becomes a located diagnostic.
struct RuntimeError: Error {
    var id: Diagnostic.ID = .refused
    var message: String
    var range: SourceRange
    var notes: [String] = []
    /// The text the range points into when it is not the running script's: an imported file.
    var source: SourceFile?

    var diagnostic: Diagnostic { Diagnostic(id, message, at: range, notes: notes, source: source) }
}
