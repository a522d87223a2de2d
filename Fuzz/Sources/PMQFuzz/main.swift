import Foundation
import PMQ

// libFuzzer's entry point for PMQ: each input is PMQ text, compiled and run on a fresh
// in-memory session that holds a small mid-project model, under limits (steps, time,
// memory, no file access), with every result rendered in every output format and the
// diagnostics rendered with their carets. A signal, an ASan report or a Swift runtime
// trap is a crash; a located error is a pass. Run it with Fuzz/run.

/// The model every input runs against: a project part-way through, so queries, changes,
/// undo, schedule and health all have rows to work on.
let seedModel = """
    add person "DBA" kind team
    add person "Wang Fang" role "PM" department "PMO" rate 1500
    add person "Li Wei" role "DBA" department "IT" rate 1000 backup "Wang Fang"
    add project "GOV" start 2026-01-05 budget 500000
    add task "Plan" wbs 1 owner "Wang Fang" start 2026-01-05 finish 2026-01-30 status done
    add task "Build" wbs 2 owner "DBA" start 2026-02-02 finish 2026-04-10
    add task "Schema" wbs 2.1 owner "Li Wei" start 2026-02-02 finish 2026-03-06 progress 60 status doing cost 12000
    add task "Data" wbs 2.2 owner "DBA" start 2026-03-09 finish 2026-04-10
    add task "Go live" wbs 3 start 2026-04-13 milestone true
    add dependency 2.1 -> 2.2
    add dependency 2.2 -> 3
    add risk "Vendor late" probability 3 impact 4 owner "Wang Fang"
    """

let today = Day(iso: "2026-03-16")

/// The seeded model, made once. Each input gets a copy of it in memory (SQLite's memdb VFS,
/// filled by VACUUM INTO): building the model afresh for every input cost more than most
/// inputs do.
let template: Session? = {
    guard let s = try? Session(path: nil, today: today) else { return nil }
    let d = s.run(seedModel).diagnostics
    guard d.isEmpty else {
        // Fuzzing an empty model would hide most of PMQ: stop at once and say why.
        fputs("PMQFuzz: the seed model does not load:\n\(DiagnosticRenderer.render(d))\n", stderr)
        exit(2)
    }
    return s
}()
let copyName = "file:/pmq-fuzz-input?vfs=memdb"

/// A fresh session on a copy of the seeded model. A memdb database lives while a connection
/// holds it, so `keeper` (opened first, while the copy is still empty, as VACUUM INTO needs)
/// holds it until the session has opened; both going away frees it.
func freshSession() -> (session: Session, keeper: Database)? {
    guard let template, let keeper = try? Database(path: copyName),
          (try? template.db.execute("VACUUM INTO '\(copyName)'")) != nil,
          let session = try? Session(path: copyName, today: today) else { return nil }
    return (session, keeper)
}

/// Runs one input. Everything is thrown away afterwards: no input sees another's state,
/// so a crash reproduces from its input file alone.
func runOne(_ text: String) {
    guard let (session, keeper) = freshSession() else { return }
    defer { withExtendedLifetime(keeper) {} }
    session.limits = Limits(maxSteps: 5_000, timeout: .seconds(2), readOnly: false, fileAccess: false, maxMemory: 256 << 20)
    let source = SourceFile(name: "<fuzz>", text: text)
    _ = DiagnosticRenderer.render(session.check(source))
    let diagnostics = session.run(source) { result in
        for format in OutputFormat.allCases { _ = format.render(result) }
    }
    _ = DiagnosticRenderer.render(diagnostics)
    // Completion reads the same text an editor or the shell would hand it.
    let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    if let last = words.last, text.utf8.count < 2_000 {
        let before = String(text.dropLast(last.count))
        _ = Completer(session: session).complete(before: before, word: String(last), inString: false)
    }
}

/// The fuzzing dictionary: PMQ's one keyword list, the entity and field names of the
/// catalog, and the operators and literal shapes the lexer knows.
func dictionary() -> [String] {
    var words = Keywords.all
    words += Catalog.entities.flatMap { [$0.plural] + $0.fields.map(\.name) }
    words += ["~", "!~", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "(", ")", "{", "}", "[", "]", ",", ".",
              "\"", "\"{", "}\"", "#", "\n", "2026-02-29", "2026-03-16", "9999-12-31", "1000000d", "5wd", "3w", "4h",
              "1mo", "99999999999999999999", "1.2.3", "fn f(x) = ", "let x = ", "group by", "order by", "is null",
              "as of", "changed to", "for t in tasks {", "if true {", "save query q = ", "save rule \"r\" "]
    var seen = Set<String>()
    return words.filter { seen.insert($0).inserted }
}

/// A libFuzzer dictionary file: one quoted, escaped entry a line.
func dictionaryFile() -> String {
    dictionary().map { word in
        var e = ""
        for b in word.utf8 {
            switch b {
            case UInt8(ascii: "\""): e += "\\\""
            case UInt8(ascii: "\\"): e += "\\\\"
            case 0x20...0x7E: e += String(UnicodeScalar(b))
            default: e += String(format: "\\x%02X", b)
            }
        }
        return "\"\(e)\""
    }.joined(separator: "\n") + "\n"
}

/// The seed corpus: every script in examples/ and every golden case's text (its setup
/// too), one file each, written into `directory` from the repository at `root`.
func writeSeeds(root: String, directory: String) throws -> Int {
    var texts: [String] = []
    let fm = FileManager.default
    let examples = root + "/examples"
    for name in (fm.enumerator(atPath: examples)?.allObjects as? [String] ?? []).sorted() where name.hasSuffix(".pmq") {
        if let t = fm.contents(atPath: examples + "/" + name) { texts.append(String(decoding: t, as: UTF8.self)) }
    }
    let golden = root + "/Tests/PMQTests/Golden"
    for name in ((try? fm.contentsOfDirectory(atPath: golden)) ?? []).sorted() where name.hasSuffix(".golden") {
        guard let data = fm.contents(atPath: golden + "/" + name) else { continue }
        // A golden file: `### setup` or `### case: NAME` blocks, the text before a `----` line.
        for block in ("\n" + String(decoding: data, as: UTF8.self)).components(separatedBy: "\n### ").dropFirst() {
            let lines = block.components(separatedBy: "\n").dropFirst()
            let text = lines.prefix { $0 != "----" }.filter { !$0.hasPrefix("% ") }.joined(separator: "\n")
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { texts.append(text) }
        }
    }
    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (i, t) in texts.enumerated() {
        // libFuzzer keeps inputs short (-max_len); a long example is cut at a line end.
        var cut = String(decoding: t.utf8.prefix(8_000), as: UTF8.self)
        if cut.utf8.count < t.utf8.count, let nl = cut.lastIndex(of: "\n") { cut = String(cut[..<nl]) }
        try cut.write(toFile: directory + "/seed-\(i)", atomically: true, encoding: .utf8)
    }
    return texts.count
}

typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: TestOneInput) -> Int32

/// SwiftPM links an executable's entry point as `<Target>_main` (so tests can link the
/// module); with -parse-as-library this is it. `--write-dict FILE` writes the dictionary,
/// `--write-seeds ROOT DIR` the seed corpus, and exit; anything else goes to libFuzzer.
@_cdecl("PMQFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    // Each input must start from the seeded model, not an empty one (the probe's copy is
    // freed before fuzzing starts: every input reuses the name).
    func seeded() -> Bool {
        guard let (probe, keeper) = freshSession() else { return false }
        defer { withExtendedLifetime(keeper) {} }
        if case .scalar(.integer(5), _)? = probe.run("count tasks").results.first { return true }
        return false
    }
    guard seeded(), seeded() else {
        fputs("PMQFuzz: a copy of the seed model does not hold its five tasks\n", stderr)
        return 2
    }
    if argc == 3, let flag = argv[1], String(cString: flag) == "--write-dict", let path = argv[2] {
        do {
            try dictionaryFile().write(toFile: String(cString: path), atomically: true, encoding: .utf8)
            return 0
        } catch {
            fputs("cannot write the dictionary: \(error)\n", stderr)
            return 1
        }
    }
    if argc == 4, let flag = argv[1], String(cString: flag) == "--write-seeds", let root = argv[2], let dir = argv[3] {
        do {
            let n = try writeSeeds(root: String(cString: root), directory: String(cString: dir))
            print("\(n) seeds")
            return 0
        } catch {
            fputs("cannot write the seeds: \(error)\n", stderr)
            return 1
        }
    }
    var count = argc
    var args: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &args) { data, size in
        let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
        runOne(String(decoding: bytes, as: UTF8.self))
        return 0
    }
}
