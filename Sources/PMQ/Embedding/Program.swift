/// PMQ text parsed and checked against the catalog, ready to run on the session that
/// compiled it (`Session.compile`, then `Session.run(_:)`). Compiling reports every
/// diagnostic without touching the database.
///
/// A program belongs to its session and is not `Sendable`.
public struct Program {
    public let source: SourceFile
    let statements: [Checked]
    let checker: Checker
    /// The session's checker generation it was compiled at.
    let generation: Int
    /// Which of the session's compiled programs it is.
    let serial: Int

    /// How many top-level statements the program has.
    public var statementCount: Int { statements.count }
}
