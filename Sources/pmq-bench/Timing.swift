import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Samples in seconds, summarised.
struct Stats {
    let samples: [Double]
    init(_ samples: [Double]) { self.samples = samples.sorted() }

    func quantile(_ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        // Nearest-rank on sorted samples; the median of an even count is the mean of the middle two.
        if q == 0.5 && samples.count % 2 == 0 {
            return (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
        }
        let i = Swift.min(samples.count - 1, Swift.max(0, Int((q * Double(samples.count)).rounded(.up)) - 1))
        return samples[i]
    }
    var median: Double { quantile(0.5) }
    var p90: Double { quantile(0.9) }
    var min: Double { samples.first ?? .nan }
    var max: Double { samples.last ?? .nan }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}

/// Runs `body` once on the monotonic clock; its time in seconds.
@inline(__always) func measure(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return (clock.now - start).seconds
}

/// Human units: 12.3 µs, 4.56 ms, 7.89 s.
func fmt(_ s: Double) -> String {
    if s.isNaN { return "–" }
    if s < 1e-3 { return String(format: "%.1f µs", s * 1e6) }
    if s < 1 { return String(format: "%.2f ms", s * 1e3) }
    return String(format: "%.2f s", s)
}

// MARK: - Whole processes

/// The directory this executable lives in (where `swift build` also puts `pmq`).
func executableDirectory() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    let path = n > 0 ? String(cString: buf) : CommandLine.arguments[0]
    return (path as NSString).deletingLastPathComponent
}

/// The full path of `name` found on $PATH, or nil.
func which(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if access(p, X_OK) == 0 { return p }
    }
    return nil
}

/// Spawns `argv` (stdin from `stdinPath` or /dev/null, stdout to /dev/null unless captured,
/// stderr to /dev/null unless `showErrors`) and waits; the exit status and wall time.
@discardableResult
func spawn(_ argv: [String], stdinPath: String? = nil, showErrors: Bool = false) throws -> (status: Int32, seconds: Double) {
    let r = try spawnMeasured(argv, stdinPath: stdinPath, showErrors: showErrors)
    return (r.status, r.seconds)
}

/// `spawn`, with the child's CPU time (user + system, from wait4's rusage).
func spawnMeasured(_ argv: [String], stdinPath: String? = nil, showErrors: Bool = false) throws -> (status: Int32, seconds: Double, cpu: Double, maxRSS: Int) {
    guard let exe = which(argv[0]) else { throw BenchError("\(argv[0]) not found") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    if !showErrors { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let clock = ContinuousClock()
    let start = clock.now
    let rc = posix_spawn(&pid, exe, &actions, nil, &cargs, environ)
    guard rc == 0 else { throw BenchError("cannot run \(exe): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = (clock.now - start).seconds
    let exited = (status & 0x7f) == 0
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    // ru_maxrss is in KiB on Linux: the child's peak resident memory.
    return (exited ? (status >> 8) & 0xff : -1, seconds, cpu, Int(usage.ru_maxrss) * 1024)
}

/// CPU time (user + system) of the children waited for so far; the difference across a
/// `spawn` is that child's CPU time, which a loaded machine does not inflate as it does wall time.
func childrenCPU() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// This process's own CPU time (user + system).
func selfCPU() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

/// Shell-quotes one word.
func shq(_ s: String) -> String {
    if s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+".contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

struct ProcessTiming {
    var stats: Stats
    var tool: String     // "hyperfine" or "pmq-bench"
    /// CPU seconds (user + system) per run, when timed here (hyperfine reports its own).
    var cpu: Stats? = nil
}

/// Times whole commands. With hyperfine installed it does the work (and its shell-spawn
/// correction); otherwise each run is spawned and timed here on the monotonic clock.
/// A command's `prepare` runs before each of its runs; `stdin` is redirected for the sqlite3 shell.
func timeCommands(_ commands: [(argv: [String], stdin: String?, prepare: [String]?)], runs: Int, warmup: Int,
                  useHyperfine: Bool, scratch: String) throws -> [ProcessTiming] {
    if useHyperfine, let hf = which("hyperfine") {
        let json = scratch + "/hyperfine-\(getpid()).json"
        var args = [hf, "--style", "none", "--runs", String(runs), "--warmup", String(warmup), "--export-json", json]
        let needsShell = commands.contains { $0.stdin != nil }
        if !needsShell { args.append("-N") }
        if commands.contains(where: { $0.prepare != nil }) {
            for c in commands { args += ["--prepare", (c.prepare ?? ["true"]).map(shq).joined(separator: " ")] }
        }
        for c in commands {
            var cmd = c.argv.map(shq).joined(separator: " ")
            if let s = c.stdin { cmd += " < " + shq(s) }
            args.append(cmd)
        }
        let r = try spawn(args, showErrors: true)
        guard r.status == 0, let data = FileManager.default.contents(atPath: json),
              let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = obj["results"] as? [[String: Any]] else {
            throw BenchError("hyperfine failed (status \(r.status))")
        }
        unlink(json)
        return results.map { ProcessTiming(stats: Stats(($0["times"] as? [Double]) ?? []), tool: "hyperfine") }
    }
    var samples = Array(repeating: [Double](), count: commands.count)
    var cpu = Array(repeating: [Double](), count: commands.count)
    for round in 0..<(warmup + runs) {
        for (i, c) in commands.enumerated() {
            if let prepare = c.prepare { try spawn(prepare) }
            let r = try spawnMeasured(c.argv, stdinPath: c.stdin)
            guard r.status == 0 else { throw BenchError("\(c.argv.joined(separator: " ")) exited with \(r.status)") }
            if round >= warmup { samples[i].append(r.seconds); cpu[i].append(r.cpu) }
        }
    }
    return zip(samples, cpu).map { ProcessTiming(stats: Stats($0.0), tool: "pmq-bench", cpu: Stats($0.1)) }
}
