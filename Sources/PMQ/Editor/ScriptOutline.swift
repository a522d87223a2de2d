/// What an editor needs to know about a script's own names: the `let`, `param`, `fn`,
/// `save query` and `for` statements that declare them, read with the real parser.
/// Positions are UTF-8 offsets into the `SourceFile`, as everywhere in the pipeline.
public struct ScriptSymbol: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case variable        // let x = ...
        case parameter       // param x = ...
        case function        // fn f(a, b) = ...
        case savedQuery      // save query q = ...
        case loopVariable    // for t in ... { }
        case argument        // a function's argument
    }
    public let kind: Kind
    public let name: String
    /// The name where it is declared.
    public let nameRange: SourceRange
    /// The whole declaring statement.
    public let range: SourceRange
    /// Where the name can be used: nil for the rest of the script, else the loop or function.
    public let scope: SourceRange?
    /// The statement's first line, for hover text.
    public let detail: String
}

public enum ScriptOutline {
    /// Every declaration in `source`, in text order (nested ones included). Statements
    /// that do not parse declare nothing.
    public static func declarations(in source: SourceFile) -> [ScriptSymbol] {
        var out: [ScriptSymbol] = []
        var parser = Parser(source)
        while let s = parser.nextStatement() { collect(s, source, into: &out) }
        return out
    }

    /// The declarations a document outline shows: `let`, `param`, `fn` and `save query`.
    public static func symbols(in source: SourceFile) -> [ScriptSymbol] {
        declarations(in: source).filter { $0.kind != .loopVariable && $0.kind != .argument }
    }

    /// The declaration `name`, used at `offset`, refers to: the nearest one before it
    /// whose scope holds the use (names are case-insensitive, like all PMQ names).
    public static func definition(of name: String, at offset: Int, in source: SourceFile) -> ScriptSymbol? {
        let n = name.lowercased()
        let visible = declarations(in: source).filter { d in
            d.name.lowercased() == n && (d.scope.map { $0.start <= offset && offset <= $0.end } ?? true)
        }
        // Arguments and loop variables shadow the script's names; then the latest declaration before the use.
        if let inner = visible.last(where: { $0.scope != nil }) { return inner }
        return visible.last { $0.nameRange.start <= offset } ?? visible.first
    }

    /// The identifier at `offset` (a name, a keyword or a field), with its range; nil in
    /// strings, comments, numbers and blank space. A dotted path gives the part under the offset.
    public static func word(at offset: Int, in source: SourceFile) -> (text: String, range: SourceRange)? {
        word(at: offset, lexer: Lexer(source), source)
    }

    private static func word(at offset: Int, lexer start: Lexer, _ source: SourceFile) -> (text: String, range: SourceRange)? {
        var lexer = start
        while true {
            let t = lexer.next()
            if t.isEOF || t.range.start > offset { return nil }
            guard t.range.start <= offset, offset <= t.range.end else { continue }
            if t.isIdentifier { return (t.text, t.range) }
            // Inside a string, the names are in its `{...}` interpolations.
            if case .string(let parts) = t.kind {
                for case .interpolation(let r) in parts where r.start <= offset && offset <= r.end {
                    return word(at: offset, lexer: Lexer(source, range: r), source)
                }
            }
        }
    }

    private static func collect(_ s: Statement, _ source: SourceFile, into out: inout [ScriptSymbol]) {
        func add(_ kind: ScriptSymbol.Kind, _ name: Name, scope: SourceRange? = nil) {
            out.append(ScriptSymbol(kind: kind, name: name.text, nameRange: name.range, range: s.range, scope: scope,
                                    detail: source.lineText(containing: s.range.start).trimmingCharacters(in: .whitespaces)))
        }
        switch s.kind {
        case .letBinding(let name, _): add(.variable, name)
        case .param(let name, _): add(.parameter, name)
        case .saveQuery(let name, _, _): add(.savedQuery, name)
        case .function(let name, let args, _):
            add(.function, name)
            for a in args { add(.argument, a, scope: s.range) }
        case .forLoop(let name, _, let body):
            add(.loopVariable, name, scope: s.range)
            for b in body { collect(b, source, into: &out) }
        case .ifElse(let branches, let otherwise):
            for b in branches.flatMap(\.body) + (otherwise ?? []) { collect(b, source, into: &out) }
        default: break
        }
    }
}

import Foundation
