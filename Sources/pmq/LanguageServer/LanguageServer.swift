import Foundation
import PMQ

/// The language server: one thread reading requests in order and answering each before
/// the next, so no two requests ever share the session. It checks and completes with
/// the library's own checker and completer, and never runs a statement: the database,
/// when there is one, is opened read-only.
final class LanguageServer {
    private let writer: MessageWriter
    private let options: Options
    private var session: Session?
    var documents: [String: TextDocument] = [:]
    private var shutdownRequested = false
    /// PMQ_LSP_TRACE=1: each message's method and handling time on standard error.
    private let trace = ProcessInfo.processInfo.environment["PMQ_LSP_TRACE"] == "1"

    struct Options {
        var db: String?
        var today: Day?
    }

    init(writer: MessageWriter, options: Options) {
        self.writer = writer
        self.options = options
    }

    /// Serves until `exit` or the end of input; the exit status LSP asks for
    /// (0 after `shutdown`, 1 otherwise).
    func serve(_ reader: MessageReader) -> Int32 {
        while true {
            let data: Data?
            do { data = try reader.next() } catch {
                log("skipped a message without a Content-Length header")
                continue
            }
            guard let data else { return shutdownRequested ? 0 : 1 }
            guard let message = RPCMessage(data) else {
                writer.send(RPC.error(nil, .parseError, "not a JSON-RPC message"))
                continue
            }
            if message.method == "exit" { return shutdownRequested ? 0 : 1 }
            let started = DispatchTime.now().uptimeNanoseconds
            handle(message)
            if trace {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                log(String(format: "%@ %.2f ms (%d bytes)", message.method, ms, data.count))
            }
        }
    }

    private func handle(_ m: RPCMessage) {
        if session == nil && m.method != "initialize" {
            if m.isRequest { writer.send(RPC.error(m.id, .serverNotInitialized, "initialize first")) }
            return
        }
        if shutdownRequested && m.isRequest {
            writer.send(RPC.error(m.id, .invalidRequest, "the server is shutting down"))
            return
        }
        switch m.method {
        case "initialize": reply(m, initialize(m.params))
        case "initialized": break
        case "shutdown":
            shutdownRequested = true
            reply(m, nil)
        case "textDocument/didOpen": didOpen(m.params)
        case "textDocument/didChange": didChange(m.params)
        case "textDocument/didClose": didClose(m.params)
        case "textDocument/didSave": break
        case "textDocument/completion": withDocument(m) { completion($0, $1, m.params) }
        case "textDocument/hover": withDocument(m) { hover($0, $1, m.params) }
        case "textDocument/definition": withDocument(m) { definition($0, $1, m.params) }
        case "textDocument/documentSymbol": withDocument(m) { documentSymbols($0, $1) }
        default:
            // Notifications we do not know ($/cancelRequest, $/setTrace, ...) are ignored, as LSP allows.
            if m.isRequest { writer.send(RPC.error(m.id, .methodNotFound, "pmq lsp does not handle \(m.method)")) }
        }
    }

    private func reply(_ m: RPCMessage, _ result: Any?) {
        if m.isRequest { writer.send(RPC.response(m.id, result)) }
    }

    /// Runs a request about an open document; unknown documents get an error.
    private func withDocument(_ m: RPCMessage, _ body: (TextDocument, Session) -> Any?) {
        guard let uri = m.params.object("textDocument")?.string("uri") else {
            writer.send(RPC.error(m.id, .invalidParams, "textDocument.uri is missing"))
            return
        }
        guard let doc = documents[uri], let session else {
            writer.send(RPC.error(m.id, .invalidParams, "\(uri) is not open"))
            return
        }
        reply(m, body(doc, session))
    }

    // MARK: - Lifecycle

    private func initialize(_ params: [String: Any]) -> [String: Any] {
        let settings = params.object("initializationOptions") ?? [:]
        let env = ProcessInfo.processInfo.environment["PMQ_DB"].flatMap { $0.isEmpty ? nil : $0 }
        let path = settings.string("db") ?? options.db ?? env
        let today = settings.string("today").flatMap { Day(iso: $0) } ?? options.today
        session = LanguageServer.openSession(path, today: today) { log($0) }
        return [
            "capabilities": [
                "textDocumentSync": ["openClose": true, "change": 2],  // incremental
                "completionProvider": ["triggerCharacters": [".", "\""]],
                "hoverProvider": true,
                "definitionProvider": true,
                "documentSymbolProvider": true,
            ] as [String: Any],
            "serverInfo": ["name": "pmq", "version": PMQVersion.current],
        ]
    }

    /// The database read-only when it exists (names, keys, custom fields and saved queries
    /// come from it), a file or a PostgreSQL URL alike (a team's model on a server is checked
    /// as a copy in a file would be); otherwise an in-memory one, which knows the schema but no data.
    static func openSession(_ path: String?, today: Day?, log: (String) -> Void) -> Session? {
        if let path, Store.isServerURL(path) || FileManager.default.fileExists(atPath: path) {
            do { return try Session(path: path, today: today, readOnly: true) } catch {
                log("cannot open \(path) (\(error)); completing without its data")
            }
        } else if let path {
            log("no database at \(path); completing without data")
        }
        return try? Session(path: nil, today: today)
    }

    // MARK: - Documents

    private func didOpen(_ params: [String: Any]) {
        guard let item = params.object("textDocument"), let uri = item.string("uri"), let text = item.string("text") else { return }
        var doc = TextDocument(uri: uri, version: item.int("version") ?? 0, text: text)
        doc.check = session?.checkDocument(doc.source)
        documents[uri] = doc
        publishDiagnostics(doc)
    }

    private func didChange(_ params: [String: Any]) {
        guard let id = params.object("textDocument"), let uri = id.string("uri"), var doc = documents[uri] else { return }
        let old = doc
        for change in params["contentChanges"] as? [[String: Any]] ?? [] {
            guard let text = change.string("text") else { continue }
            if let r = change.object("range"), let a = TextDocument.Position(r.object("start")), let b = TextDocument.Position(r.object("end")) {
                doc.apply(range: (a, b), text: text)
            } else {
                doc.apply(range: nil, text: text)
            }
        }
        doc.version = id.int("version") ?? doc.version
        // Only the statements from just before the first changed byte on are checked again.
        if let session, let previous = old.check, let same = doc.unchangedPrefix(since: old) {
            doc.check = session.checkDocument(doc.source, previous: previous, unchangedPrefix: same)
        } else {
            doc.check = session?.checkDocument(doc.source)
        }
        documents[uri] = doc
        publishDiagnostics(doc)
    }

    private func didClose(_ params: [String: Any]) {
        guard let uri = params.object("textDocument")?.string("uri") else { return }
        documents[uri] = nil
        writer.send(RPC.notification("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": [Any]()]))
    }

    private func publishDiagnostics(_ doc: TextDocument) {
        let items = LanguageServer.diagnostics(doc)
        writer.send(RPC.notification("textDocument/publishDiagnostics", ["uri": doc.uri, "version": doc.version, "diagnostics": items]))
    }
}

/// Messages for the person running the server go to standard error (editors show it as the server's log).
func log(_ text: String) {
    FileHandle.standardError.write(Data(("pmq lsp: " + text + "\n").utf8))
}
