import Foundation

// MARK: - l. the language server (issue 17): diagnostics after a change to a 1,000-line
// script, completion at its end, and the server's peak memory on a 100k-task database.

/// A 1,000-line script of the kind people keep for their weekly routine.
func weeklyScript(lines: Int) -> String {
    var out: [String] = ["param who = \"DBA\""]
    var i = 0
    while out.count < lines - 3 {
        switch i % 6 {
        case 0: out.append("let cutoff_\(i) = today + \(i % 30)d")
        case 1: out.append("tasks where owner = who and late > 3d select wbs, name, owner order by wbs limit 20")
        case 2: out.append("count tasks where status = doing and finish < cutoff_\(i - 2)")
        case 3: out.append("update tasks where wbs under 1.\(i % 9 + 1) and progress = 100 set status = done")
        case 4: out.append("risks where score >= 12 and status = open order by score desc")
        default:
            out.append("for t in tasks where overdue and owner = who {")
            out.append("  print \"{t.wbs} {t.name} is late by {t.late}\"")
            out.append("}")
        }
        i += 1
    }
    return out.joined(separator: "\n") + "\n"
}

/// A minimal LSP client over pipes (the test suite has its own; this one only times).
final class BenchLSPClient {
    let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(pmq: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: pmq)
        process.arguments = ["lsp"] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    func send(_ message: [String: Any]) throws {
        let body = try JSONSerialization.data(withJSONObject: message)
        input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    func request(_ method: String, _ params: [String: Any]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        try send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        while true {
            let m = try receive()
            if m["id"] as? Int == id { return m }
        }
    }

    func notify(_ method: String, _ params: [String: Any]) throws {
        try send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Waits for the diagnostics of one document version.
    func diagnostics(version: Int) throws -> [Any] {
        while true {
            let m = try receive()
            if m["method"] as? String == "textDocument/publishDiagnostics", let p = m["params"] as? [String: Any], p["version"] as? Int == version {
                return p["diagnostics"] as? [Any] ?? []
            }
        }
    }

    func receive() throws -> [String: Any] {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == separator }) {
                let header = String(decoding: buffer[..<end], as: UTF8.self)
                guard let n = header.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
                    throw BenchError("bad header from pmq lsp: \(header)")
                }
                while buffer.count < end + 4 + n { try fill() }
                let body = Data(buffer[(end + 4)..<(end + 4 + n)])
                buffer.removeFirst(end + 4 + n)
                return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
            }
            try fill()
        }
    }

    private func fill() throws {
        let data = output.fileHandleForReading.availableData
        if data.isEmpty { throw BenchError("pmq lsp closed its output") }
        buffer.append(contentsOf: data)
    }

    /// The server's CPU time so far (user + system), from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the name: state is 0, utime 11, stime 12 (in clock ticks).
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return .nan }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident memory in MiB (VmHWM).
    var peakMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return .nan }
        return kb / 1024
    }
}

func benchLanguageServer(dbPath: String, tasks: Int, pmq: String, runs: Int) throws -> [Figure] {
    let uri = "file:///bench/weekly.pmq"
    let script = weeklyScript(lines: 1000)
    let client = try BenchLSPClient(pmq: pmq, arguments: ["--db", dbPath, "--today", "2026-03-16"])
    _ = try client.request("initialize", ["capabilities": [String: Any](), "processId": getpid()])
    try client.notify("initialized", [:])
    try client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "pmq", "version": 1, "text": script]])
    let first = try client.diagnostics(version: 1)
    guard first.isEmpty else { throw BenchError("the benchmark script has \(first.count) errors: \(first.prefix(2))") }

    // l1: a change until its diagnostics arrive: a character typed into a comment at the end
    // (only the last statements are checked again), then a change to the first line (all of it is).
    var change: [Double] = [], changeTop: [Double] = []
    let cpuBefore = client.cpuSeconds
    var v = 2
    for i in 0..<runs {
        let text = script + (i % 2 == 0 ? "# x\n" : "# xy\n")
        change.append(try measure {
            try client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": v], "contentChanges": [["text": text]]])
            _ = try client.diagnostics(version: v)
        })
        v += 1
    }
    let changeCPU = (client.cpuSeconds - cpuBefore) / Double(runs)
    let cpuBeforeTop = client.cpuSeconds
    for i in 0..<runs {
        let text = (i % 2 == 0 ? "param who = \"QA\"" : "param who = \"DBA\"") + script.drop { $0 != "\n" }
        changeTop.append(try measure {
            try client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": v], "contentChanges": [["text": text]]])
            _ = try client.diagnostics(version: v)
        })
        v += 1
    }
    let changeTopCPU = (client.cpuSeconds - cpuBeforeTop) / Double(runs)

    // l2: completion at the end of the script: fields after `where`, and keys from the data in a string.
    let lines = script.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    let tail = script + "# x\ntasks where st\ntasks where owner = \"D"
    try client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": v], "contentChanges": [["text": tail]]])
    _ = try client.diagnostics(version: v)
    var completion: [Double] = []
    var items = 0
    let cpuBeforeCompletion = client.cpuSeconds
    for i in 0..<runs {
        let position: [String: Int] = i % 2 == 0 ? ["line": lines + 1, "character": 14] : ["line": lines + 2, "character": 22]
        completion.append(try measure {
            let r = try client.request("textDocument/completion", ["textDocument": ["uri": uri], "position": position])
            items = ((r["result"] as? [String: Any])?["items"] as? [Any])?.count ?? 0
        })
    }
    let completionCPU = (client.cpuSeconds - cpuBeforeCompletion) / Double(runs)
    let peak = client.peakMiB
    _ = try client.request("shutdown", [:])
    try client.notify("exit", [:])
    client.process.waitUntilExit()

    let c = Stats(change), t = Stats(changeTop), k = Stats(completion)
    note("l: \(runs) changes at the end, median \(fmt(c.median)), p90 \(fmt(c.p90)), max \(fmt(c.max)); server CPU \(fmt(changeCPU)) a change")
    note("l: \(runs) changes to line 1, median \(fmt(t.median)), p90 \(fmt(t.p90)), max \(fmt(t.max)); server CPU \(fmt(changeTopCPU)) a change")
    note("l: \(runs) completions (\(items) items last), median \(fmt(k.median)), p90 \(fmt(k.p90)), max \(fmt(k.max)); server CPU \(fmt(completionCPU)) each")
    note("l: peak resident memory of pmq lsp on \(tasks) tasks: \(String(format: "%.1f", peak)) MiB")
    return [
        Figure(id: "l1a", measure: "pmq lsp: diagnostics after a change at the end of a 1,000-line script (median of \(runs), p90 \(fmt(c.p90)), server CPU \(fmt(changeCPU)))",
               pmq: fmt(c.median), baseline: "–", ratio: "–", target: "≤ 50 ms", pass: c.median <= 0.050),
        Figure(id: "l1b", measure: "pmq lsp: the same after a change to its first line, all checked again (median of \(runs), p90 \(fmt(t.p90)), server CPU \(fmt(changeTopCPU)))",
               pmq: fmt(t.median), baseline: "–", ratio: "–", target: "≤ 50 ms", pass: t.median <= 0.050),
        Figure(id: "l2", measure: "pmq lsp: completion at the end of that script (median of \(runs), p90 \(fmt(k.p90)), server CPU \(fmt(completionCPU)))",
               pmq: fmt(k.median), baseline: "–", ratio: "–", target: "≤ 20 ms", pass: k.median <= 0.020),
        Figure(id: "l3", measure: "pmq lsp: peak resident memory, \(tasks) tasks", pmq: String(format: "%.1f MiB", peak),
               baseline: "–", ratio: "–", target: "< 50 MiB", pass: peak < 50),
    ]
}
