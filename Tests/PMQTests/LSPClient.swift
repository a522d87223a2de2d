import Foundation

/// A language-server client for tests: spawns the built `pmq lsp` and exchanges framed
/// JSON-RPC messages with it over pipes, as an editor does.
final class LSPClient {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(arguments: [String] = [], env: [String: String] = [:]) throws {
        process.executableURL = PMQProcess.binary
        process.arguments = ["lsp"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "PMQ_DB")
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit { if process.isRunning { process.terminate() } }

    struct Timeout: Error {}

    /// Sends raw bytes as one framed message (for malformed-input tests).
    func sendRaw(_ body: Data) {
        input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
    }

    func notify(_ method: String, _ params: [String: Any]) throws {
        sendRaw(try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "method": method, "params": params]))
    }

    /// Sends a request and returns its response, keeping notifications that came first in `pending`.
    func request(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        sendRaw(try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": id, "method": method, "params": params]))
        while true {
            let m = try receive()
            if (m["id"] as? Int) == id { return m }
            pending.append(m)
        }
    }
    var pending: [[String: Any]] = []

    /// The next notification with this method (from `pending` first).
    func notification(_ method: String) throws -> [String: Any] {
        if let i = pending.firstIndex(where: { $0["method"] as? String == method }) { return pending.remove(at: i) }
        while true {
            let m = try receive()
            if m["method"] as? String == method { return m }
            pending.append(m)
        }
    }

    /// The next message from the server, within 20 seconds.
    func receive() throws -> [String: Any] {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = find(separator) {
                let header = String(decoding: buffer[..<end], as: UTF8.self)
                guard let lengthText = header.split(separator: ":").last, let length = Int(lengthText.trimmingCharacters(in: .whitespaces)) else {
                    throw Timeout()
                }
                while buffer.count < end + 4 + length { try fill() }
                let body = Data(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
            }
            try fill()
        }
    }

    /// Waits for the server to end; its exit status.
    func waitForExit() throws -> Int32 {
        try input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning {
            if Date() > deadline { process.terminate(); throw Timeout() }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        return (0...(buffer.count - needle.count)).first { Array(buffer[$0..<$0 + needle.count]) == needle }
    }

    private func fill() throws {
        var fds = pollfd(fd: output.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, 20_000) > 0 else { throw Timeout() }
        let data = output.fileHandleForReading.availableData
        if data.isEmpty { throw Timeout() }
        buffer.append(contentsOf: data)
    }
}
