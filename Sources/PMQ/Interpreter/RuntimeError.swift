/// A statement refused or failed while running; becomes a located diagnostic.
struct RuntimeError: Error {
    var id: Diagnostic.ID = .refused
    var message: String
    var range: SourceRange
    var notes: [String] = []

    var diagnostic: Diagnostic { Diagnostic(id, message, at: range, notes: notes) }
}
