/// The catalogue of PMQ's diagnostics: every error PMQ reports carries one of these ids.
///
/// Hosts and tests match on the id (`unknown-field`), never on the text: the text names the
/// user's own words and may be improved from release to release; an id, once shipped, keeps
/// its meaning. Each id belongs to one coarse kind (`Diagnostic.ID`: syntax, type, refused,
/// ...), which the shell and older hosts switch on. docs/messages.md lists the catalogue;
/// a test holds that page to this list, as rustc's error index is held to its codes.
///
/// The texts stay beside the code that finds the problem (they quote the user's names,
/// types and values from there); what is catalogued is what a message means.
public enum MessageID: String, CaseIterable, Sendable {
    // Text that does not read as PMQ (lexer, parser).
    case incompleteInput = "incomplete-input"
    case malformedNumber = "malformed-number"
    case malformedString = "malformed-string"
    case unexpectedCharacter = "unexpected-character"
    case unexpectedToken = "unexpected-token"
    case nestedTooDeeply = "nested-too-deeply"
    case givenTwice = "given-twice"

    // Names the checker cannot resolve.
    case unknownEntity = "unknown-entity"
    case unknownField = "unknown-field"
    case unknownName = "unknown-name"
    case unknownFunction = "unknown-function"
    case unknownType = "unknown-type"
    case unknownFormat = "unknown-format"

    // Types and shapes.
    case wrongType = "wrong-type"
    case wrongUnit = "wrong-unit"
    case argumentCount = "argument-count"
    case notASource = "not-a-source"
    case noFields = "no-fields"
    case notGrouped = "not-grouped"
    case misplacedAggregate = "misplaced-aggregate"
    case wrongQueryShape = "wrong-query-shape"
    case notSettable = "not-settable"
    case recursiveFunction = "recursive-function"

    // Values.
    case unknownValue = "unknown-value"
    case outOfRange = "out-of-range"
    case nullNotAllowed = "null-not-allowed"
    case datesOutOfOrder = "dates-out-of-order"
    case invalidValue = "invalid-value"
    case unsupportedFile = "unsupported-file"

    // Refusals: the statement is well formed, the model says no.
    case readOnly = "read-only"
    case fileAccess = "file-access"
    case nameTaken = "name-taken"
    case unknownRow = "unknown-row"
    case ambiguousProject = "ambiguous-project"
    case duplicate = "duplicate"
    case dependencyCycle = "dependency-cycle"
    case stillReferenced = "still-referenced"
    case rolledUp = "rolled-up"
    case missingParent = "missing-parent"
    case missingValue = "missing-value"
    case conflict = "conflict"
    case cannotUndo = "cannot-undo"
    case staleQuery = "stale-query"
    case tooComplex = "too-complex"
    case notHere = "not-here"
    case cannotLevel = "cannot-level"
    case meUnknown = "me-unknown"

    // While running.
    case limitReached = "limit-reached"
    case assertFailed = "assert-failed"
    case runtimeFailure = "runtime-failure"

    // Files and the database.
    case busy = "busy"
    case cannotRead = "cannot-read"
    case cannotWrite = "cannot-write"
    case databaseError = "database-error"

    /// The coarse kind the id belongs to.
    public var kind: Diagnostic.ID {
        switch self {
        case .incompleteInput: return .incompleteInput
        case .malformedNumber, .malformedString, .unexpectedCharacter, .unexpectedToken, .nestedTooDeeply,
             .givenTwice:
            return .syntax
        case .unknownEntity, .unknownField, .unknownName, .unknownFunction, .unknownType, .unknownFormat:
            return .unknownName
        case .wrongType, .wrongUnit, .argumentCount, .notASource, .noFields, .notGrouped, .misplacedAggregate,
             .wrongQueryShape, .notSettable, .recursiveFunction:
            return .type
        case .unknownValue, .outOfRange, .nullNotAllowed, .datesOutOfOrder, .invalidValue, .unsupportedFile:
            return .invalidValue
        case .readOnly, .fileAccess, .nameTaken, .unknownRow, .ambiguousProject, .duplicate, .dependencyCycle,
             .stillReferenced, .rolledUp, .missingParent, .missingValue, .conflict, .cannotUndo, .staleQuery,
             .tooComplex, .notHere, .cannotLevel, .meUnknown:
            return .refused
        case .limitReached, .assertFailed, .runtimeFailure: return .runtime
        case .busy, .cannotRead, .cannotWrite, .databaseError: return .io
        }
    }

    /// What the id means, for docs/messages.md and `.help`-style listings.
    public var meaning: String {
        switch self {
        case .incompleteInput: return "The text stops before the statement is complete (the shell reads another line)."
        case .malformedNumber: return "A number or duration literal that is not well formed."
        case .malformedString: return "A string with an unknown escape or an empty interpolation."
        case .unexpectedCharacter: return "A character that starts no token."
        case .unexpectedToken: return "The parser expected something else here."
        case .nestedTooDeeply: return "Expressions, blocks or interpolations nested past the depth limit."
        case .givenTwice: return "A field or value given twice in one statement."
        case .unknownEntity: return "No entity (or source) of that name."
        case .unknownField: return "The entity has no field of that name."
        case .unknownName: return "No variable, field or source of that name is in scope."
        case .unknownFunction: return "No function of that name."
        case .unknownType: return "`add field` with a type PMQ does not have."
        case .unknownFormat: return "An import or export format PMQ does not know."
        case .wrongType: return "A value of the wrong type for where it is used."
        case .wrongUnit: return "A duration or time budget in the wrong unit."
        case .argumentCount: return "A function called with the wrong number of arguments."
        case .notASource: return "Rows were expected (a query, a set variable), and this is not one, or the reverse."
        case .noFields: return "A path through something that is not a reference."
        case .notGrouped: return "A grouped query selects a field it neither groups nor aggregates, or uses having/pivot without group by."
        case .misplacedAggregate: return "An aggregate outside select or order by of a grouped query."
        case .wrongQueryShape: return "A query of the wrong shape for the statement (a count, a group, a select where rows are needed)."
        case .notSettable: return "A computed or scheduled field, or a part of a row that cannot be written."
        case .recursiveFunction: return "A user function that calls itself."
        case .unknownValue: return "A value outside an enum's or a role's list of values."
        case .outOfRange: return "A number, date or duration outside what PMQ stores."
        case .nullNotAllowed: return "Null (or empty) where the field needs a value."
        case .datesOutOfOrder: return "A finish before its start."
        case .invalidValue: return "A value a field does not accept."
        case .unsupportedFile: return "A file name whose type the statement cannot read or write."
        case .readOnly: return "A change where only reading is allowed: a read-only run, the journal, a computed source."
        case .fileAccess: return "A file outside what the session may read or write."
        case .nameTaken: return "A name that is already a field, keyword, function or variable."
        case .unknownRow: return "No row with that key (a task's WBS code, a person's name, a saved query, a rule)."
        case .ambiguousProject: return "A bare WBS code or an add with several projects and none chosen."
        case .duplicate: return "A row whose key or link already exists."
        case .dependencyCycle: return "A dependency that would close a cycle, or a task that depends on itself."
        case .stillReferenced: return "A delete refused because other rows still refer to the row."
        case .rolledUp: return "A direct write to a summary's rolled-up field."
        case .missingParent: return "A task whose parent WBS code has no task."
        case .missingValue: return "A value the statement needs is missing."
        case .conflict: return "Another user changed the same rows at the same time (PostgreSQL)."
        case .cannotUndo: return "Nothing to undo or redo, or the journal's change cannot be taken back."
        case .staleQuery: return "A saved query or rule that no longer checks against the model."
        case .tooComplex: return "A statement past a size limit (functions expanded, fields in one update, pivot columns)."
        case .notHere: return "A statement that cannot run in this context."
        case .cannotLevel: return "`schedule level` cannot find a plan within capacity."
        case .meUnknown: return "`me` names no single person."
        case .limitReached: return "A limit (steps, time, memory) or a cancel stopped the run."
        case .assertFailed: return "An `assert` in a script was false."
        case .runtimeFailure: return "Any other failure while running a statement."
        case .busy: return "The database is busy: another writer holds it."
        case .cannotRead: return "A file could not be read, or is not what its name says."
        case .cannotWrite: return "A file could not be written."
        case .databaseError: return "The database refused or failed an operation."
        }
    }
}
