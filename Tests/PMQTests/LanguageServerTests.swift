import Foundation
import Testing
import PMQ

/// `pmq lsp` end to end: the built binary, spoken to over pipes as an editor would.
@Suite("The language server (pmq lsp)")
struct LanguageServerTests {
    static let uri = "file:///work/weekly.pmq"

    /// An error after CJK and an emoji on its line: LSP counts UTF-16 code units, so
    /// `ownr` starts at 33 (`进度` is 2 units, `😀` is 2), not at its byte or character column.
    static let broken = """
    let who = "DBA"
    # 周报 😀
    print "进度 😀 {who}"; tasks where ownr = who
    """

    static let clean = """
    let who = "DBA"
    fn share(x) = x / 100
    save query late_dba = tasks where owner = "DBA" and late > 3d
    for t in late_dba {
      print "{t.wbs} 😀 {share(t.progress)}"
    }
    tasks where status = done and owner = who
    """

    static func range(_ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int) -> [String: [String: Int]] {
        ["start": ["line": l1, "character": c1], "end": ["line": l2, "character": c2]]
    }

    static func at(_ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
    }

    static func json(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func start(_ options: [String: Any] = ["today": "2026-03-16"]) throws -> LSPClient {
        let client = try LSPClient()
        let r = try client.request("initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [String: Any](),
                                                  "initializationOptions": options])
        let result = try #require(r["result"] as? [String: Any])
        #expect(json(result["serverInfo"]) == json(["name": "pmq", "version": PMQVersion.current]))
        let caps = try #require(result["capabilities"] as? [String: Any])
        #expect(caps["hoverProvider"] as? Bool == true)
        #expect(caps["definitionProvider"] as? Bool == true)
        #expect(caps["documentSymbolProvider"] as? Bool == true)
        try client.notify("initialized", [:])
        return client
    }

    @Test("a conversation: open with an error, change to clean text, complete, hover, go to definition, symbols, shut down")
    func conversation() throws {
        let client = try LanguageServerTests.start()
        try client.notify("textDocument/didOpen", ["textDocument": ["uri": Self.uri, "languageId": "pmq", "version": 1, "text": Self.broken]])
        var published = try #require(try client.notification("textDocument/publishDiagnostics")["params"] as? [String: Any])
        #expect(published["version"] as? Int == 1)
        let expected: [[String: Any]] = [[
            "range": Self.range(2, 33, 2, 37), "severity": 1, "code": "unknown-field", "source": "pmq",
            "message": "unknown field \"ownr\" of tasks; did you mean \"owner\"?",
        ]]
        #expect(Self.json(published["diagnostics"]) == Self.json(expected))

        // An incremental change in UTF-16 positions after the emoji: `ownr` → `owner`.
        try client.notify("textDocument/didChange", ["textDocument": ["uri": Self.uri, "version": 2],
                                                     "contentChanges": [["range": Self.range(2, 33, 2, 37), "text": "owner"]]])
        published = try #require(try client.notification("textDocument/publishDiagnostics")["params"] as? [String: Any])
        #expect(published["version"] as? Int == 2)
        #expect(Self.json(published["diagnostics"]) == "[]")

        // The whole text replaced: still clean.
        try client.notify("textDocument/didChange", ["textDocument": ["uri": Self.uri, "version": 3], "contentChanges": [["text": Self.clean]]])
        published = try #require(try client.notification("textDocument/publishDiagnostics")["params"] as? [String: Any])
        #expect(published["version"] as? Int == 3)
        #expect(Self.json(published["diagnostics"]) == "[]")

        // Completion: fields after `where`, enum values after `status =`, the script's variables after `owner =`.
        func labels(_ line: Int, _ character: Int) throws -> [String] {
            let r = try client.request("textDocument/completion", Self.at(line, character))
            let items = (r["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
            return items.compactMap { $0["label"] as? String }
        }
        #expect(try labels(6, 14) == ["status", "start"])
        #expect(try labels(6, 21) == ["todo", "doing", "done", "blocked", "cancelled"])
        #expect(try labels(6, 39) == ["who"])
        let item = try client.request("textDocument/completion", Self.at(6, 14))
        let first = try #require(((item["result"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
        #expect(Self.json(first) == Self.json(["label": "status", "kind": 5, "filterText": "status",
                                                "textEdit": ["range": Self.range(6, 12, 6, 14), "newText": "status"]]))

        // Hover: a field's type and meaning, a variable's declaration, a keyword's help.
        let owner = try client.request("textDocument/hover", Self.at(6, 32))
        #expect(Self.json(owner["result"]) == Self.json([
            "contents": ["kind": "markdown", "value": "```\nowner: person, a field of tasks\n\nthe Responsible one\n```"],
            "range": Self.range(6, 30, 6, 35)]))
        let who = try client.request("textDocument/hover", Self.at(6, 39))
        #expect(Self.json((who["result"] as? [String: Any])?["contents"]) == Self.json(["kind": "markdown", "value": "```pmq\nlet who = \"DBA\"\n```"]))
        let share = try client.request("textDocument/hover", Self.at(4, 23))
        #expect(Self.json((share["result"] as? [String: Any])?["range"]) == Self.json(Self.range(4, 21, 4, 26)))
        let whereHelp = try client.request("textDocument/hover", Self.at(6, 8))
        let helpText = ((whereHelp["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String
        #expect(helpText?.contains("[order by <expr> [asc|desc], ...]") == true)
        let nothing = try client.request("textDocument/hover", Self.at(1, 19))
        #expect(nothing["result"] is NSNull)

        // Go to definition: a variable, a function and a loop variable used inside a string
        // after an emoji, a saved query, a function's argument.
        func definition(_ line: Int, _ character: Int) throws -> String {
            Self.json(try client.request("textDocument/definition", Self.at(line, character))["result"])
        }
        #expect(try definition(6, 40) == Self.json(["uri": Self.uri, "range": Self.range(0, 4, 0, 7)]))
        #expect(try definition(4, 22) == Self.json(["uri": Self.uri, "range": Self.range(1, 3, 1, 8)]))
        #expect(try definition(4, 10) == Self.json(["uri": Self.uri, "range": Self.range(3, 4, 3, 5)]))
        #expect(try definition(3, 12) == Self.json(["uri": Self.uri, "range": Self.range(2, 11, 2, 19)]))
        #expect(try definition(1, 14) == Self.json(["uri": Self.uri, "range": Self.range(1, 9, 1, 10)]))
        #expect(try definition(6, 2) == "null")

        // Document symbols: let, fn and save query (loop variables and arguments are not listed).
        let symbols = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": Self.uri]])
        let list = try #require(symbols["result"] as? [[String: Any]])
        #expect(list.map { "\($0["name"] ?? "") \($0["kind"] ?? "")" } == ["who 13", "share 12", "late_dba 19"])
        #expect(Self.json(list[1]["selectionRange"]) == Self.json(Self.range(1, 3, 1, 8)))
        #expect(Self.json(list[1]["range"]) == Self.json(Self.range(1, 0, 1, 21)))

        // Unknown requests are refused by code; closing clears the document's diagnostics.
        let unknown = try client.request("textDocument/formatting", ["textDocument": ["uri": Self.uri]])
        #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32601)
        try client.notify("textDocument/didClose", ["textDocument": ["uri": Self.uri]])
        published = try #require(try client.notification("textDocument/publishDiagnostics")["params"] as? [String: Any])
        #expect(Self.json(published["diagnostics"]) == "[]")

        let down = try client.request("shutdown")
        #expect(down["result"] is NSNull)
        try client.notify("exit", [:])
        #expect(try client.waitForExit() == 0)
    }

    @Test("keys from a database given in the initialization options; the file is never written")
    func databaseValues() throws {
        let db = PMQProcess.tempDB("lsp.db")
        let setup = try PMQProcess.run(["--db", db, "-e", """
            add person "Zhang Min" role "DBA"
            add person "Zhao Lei" role "QA"
            add person "Li Wei" role "PM"
            save query open_risks = risks where status = open
            """])
        #expect(setup.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let client = try LanguageServerTests.start(["db": db, "today": "2026-03-16"])
        let text = "open_\ntasks where owner = \"Zh"
        try client.notify("textDocument/didOpen", ["textDocument": ["uri": Self.uri, "languageId": "pmq", "version": 1, "text": text]])
        _ = try client.notification("textDocument/publishDiagnostics")
        let keys = try client.request("textDocument/completion", Self.at(1, 23))
        let items = try #require((keys["result"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["label"] as? String } == ["Zhang Min", "Zhao Lei"])
        #expect(Self.json(items.first?["textEdit"]) == Self.json(["range": Self.range(1, 21, 1, 23), "newText": "Zhang Min"]))
        #expect(items.first?["kind"] as? Int == 12)
        let saved = try client.request("textDocument/completion", Self.at(0, 5))
        let savedLabels = ((saved["result"] as? [String: Any])?["items"] as? [[String: Any]])?.compactMap { $0["label"] as? String }
        #expect(savedLabels == ["open_risks"])
        _ = try client.request("shutdown")
        try client.notify("exit", [:])
        #expect(try client.waitForExit() == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test("a model on either engine: its custom fields and saved queries check clean, its keys complete", arguments: TestEngine.all)
    func modelOnEitherEngine(_ engine: TestEngine) throws {
        let store = try TestStore(engine, file: "lsp-model.db")
        defer { store.drop() }
        let location = try #require(store.location)
        let setup = try PMQProcess.run(["--db", location, "-e", """
            add project "A"
            add person "Zhang Min"
            add task "x" wbs 1 owner "Zhang Min"
            add field "vendor" to tasks type text
            save query late_dba = tasks where overdue
            """])
        #expect(setup.status == 0, "\(setup.stderr)")
        // On PostgreSQL the server said "no database at postgresql://..." and flagged both (W15).
        let client = try LanguageServerTests.start(["db": location, "today": "2026-03-16"])
        let text = "tasks where vendor = \"x\"\nlate_dba select wbs\ntasks where owner = \"Zh"
        try client.notify("textDocument/didOpen", ["textDocument": ["uri": Self.uri, "languageId": "pmq", "version": 1, "text": text]])
        let published = try client.notification("textDocument/publishDiagnostics")
        let diagnostics = (published["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]] ?? []
        let messages = diagnostics.compactMap { $0["message"] as? String }
        #expect(!messages.contains { $0.contains("vendor") || $0.contains("late_dba") }, "\(messages)")
        let keys = try client.request("textDocument/completion", Self.at(2, 22))
        let items = (keys["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
        #expect(items.compactMap { $0["label"] as? String } == ["Zhang Min"])
        _ = try client.request("shutdown")
        try client.notify("exit", [:])
        #expect(try client.waitForExit() == 0)
    }

    @Test("requests before initialize, a body that is not JSON, and exit without shutdown")
    func protocolErrors() throws {
        let client = try LSPClient()
        let early = try client.request("textDocument/hover", Self.at(0, 0))
        #expect((early["error"] as? [String: Any])?["code"] as? Int == -32002)
        client.sendRaw(Data("{not json".utf8))
        let bad = try client.receive()
        #expect((bad["error"] as? [String: Any])?["code"] as? Int == -32700)
        #expect(bad["id"] is NSNull)
        try client.notify("exit", [:])
        #expect(try client.waitForExit() == 1)
    }
}
