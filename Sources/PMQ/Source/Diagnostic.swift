/// A problem found in PMQ text or while running it: a value, never a thrown string.
public struct Diagnostic: Error, Sendable, Hashable {
    /// Stable kind of problem; tools and the REPL switch on it.
    public enum ID: String, Sendable {
        case incompleteInput = "incomplete-input"
        case syntax
        case unknownName = "unknown-name"
        case type
        case invalidValue = "invalid-value"
        case refused
        case runtime
        case io
    }

    /// The coarse kind, from the catalogue; `code` says which problem of that kind it is.
    public var id: ID { code.kind }
    /// The stable id from the catalogue (MessageID): what hosts and tests match on.
    public var code: MessageID
    public var message: String
    public var range: SourceRange
    public var notes: [String]
    /// The source the range points into; nil for problems without a position.
    public var source: SourceFile?

    public init(_ code: MessageID, _ message: String, at range: SourceRange, notes: [String] = [], source: SourceFile? = nil) {
        self.code = code
        self.message = message
        self.range = range
        self.notes = notes
        self.source = source
    }

    public var isIncompleteInput: Bool { id == .incompleteInput }

    /// 1-based line and column, when the diagnostic has a source.
    public var location: (line: Int, column: Int)? { source?.location(of: range.start) }

    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.code == b.code && a.message == b.message && a.range == b.range && a.notes == b.notes
    }
    public func hash(into h: inout Hasher) { h.combine(code); h.combine(message); h.combine(range) }
}

/// Collects diagnostics across a whole script so every error is reported, not just the first.
struct DiagnosticBag {
    private(set) var items: [Diagnostic] = []
    /// The positions reported so far, so adding stays linear in the number of errors.
    private var seen: Set<Spot> = []
    private struct Spot: Hashable { let range: SourceRange; let kind: Diagnostic.ID }
    var isEmpty: Bool { items.isEmpty }
    mutating func add(_ d: Diagnostic) {
        // One error per position is enough: a cascade at the same spot says nothing new.
        if seen.insert(Spot(range: d.range, kind: d.id)).inserted { items.append(d) }
    }
    mutating func error(_ code: MessageID, _ message: String, _ range: SourceRange, notes: [String] = []) {
        add(Diagnostic(code, message, at: range, notes: notes))
    }
}
