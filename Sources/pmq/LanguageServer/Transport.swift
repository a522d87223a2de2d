import Foundation

/// The base protocol's framing: `Content-Length: N` headers, a blank line, then N bytes
/// of JSON. Reads and writes raw file descriptors so nothing is buffered behind our back.
final class MessageReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(fd: Int32) { self.fd = fd }

    enum Failure: Error { case badHeader(String) }

    /// The next message's body; nil when the input has ended. A header without a valid
    /// Content-Length throws, after skipping that header, so the caller can go on.
    func next() throws -> Data? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = find(separator) {
                let header = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + separator.count)
                guard let length = MessageReader.contentLength(header) else { throw Failure.badHeader(header) }
                while buffer.count < length {
                    guard fill() else { return nil }
                }
                let body = Data(buffer[..<length])
                buffer.removeFirst(length)
                return body
            }
            guard fill() else { return nil }
        }
    }

    static func contentLength(_ header: String) -> Int? {
        for line in header.split(separator: "\r\n", omittingEmptySubsequences: true) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "content-length" else { continue }
            if let n = Int(parts[1].trimmingCharacters(in: .whitespaces)), n >= 0 { return n }
        }
        return nil
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<i + needle.count]) == needle {
            return i
        }
        return nil
    }

    private func fill() -> Bool {
        if atEnd { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { buffer.append(contentsOf: chunk[..<n]); return true }
            if n < 0 && errno == EINTR { continue }
            atEnd = true
            return false
        }
    }
}

final class MessageWriter {
    private let fd: Int32
    init(fd: Int32) { self.fd = fd }

    func send(_ message: [String: Any]) {
        let body = JSONText.encode(message)
        var bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // the client went away; the read loop will see the end
            written += n
        }
    }
}
