import Foundation

/// s1 (issue 18): `pmq --db F -e 'count projects'` against the sqlite3 shell's
/// `sqlite3 F 'SELECT count(*) FROM projects'` on the same file, whole processes, the two
/// interleaved run by run. Start-up is what is measured: the query is trivial. Wall and CPU
/// (user + system of the child) are both reported, as the machine is shared; with hyperfine
/// installed its figures (mean wall, user, system) are printed as well.
func benchStartup(dbPath: String, pmq: String, runs: Int, useHyperfine: Bool, workdir: String) throws -> [Figure] {
    guard let sqlite = which("sqlite3") else { throw BenchError("s1 needs the sqlite3 shell (apt-get install -y sqlite3)") }
    let pmqArgv = [pmq, "--db", dbPath, "-e", "count projects"]
    let shellArgv = [sqlite, dbPath, "SELECT count(*) FROM projects"]
    note("s1. \(pmqArgv.map(shq).joined(separator: " "))  vs  \(shellArgv.map(shq).joined(separator: " "))")
    note("   machine: \(machineDescription())")
    let r = try timeCommands([(pmqArgv, nil, nil), (shellArgv, nil, nil)], runs: runs, warmup: 5, useHyperfine: false, scratch: workdir)
    let p = r[0], s = r[1]
    let pc = p.cpu?.median ?? 0, sc = s.cpu?.median ?? 0
    note("   wall, median of \(runs): pmq \(fmt(p.stats.median)), sqlite3 \(fmt(s.stats.median)) (\(String(format: "%.2f", p.stats.median / s.stats.median))×)")
    note("   CPU,  median of \(runs): pmq \(fmt(pc)), sqlite3 \(fmt(sc)) (\(String(format: "%.2f", pc / max(sc, 1e-9)))×)")
    if useHyperfine, let hf = which("hyperfine") {
        let json = workdir + "/hyperfine-startup-\(getpid()).json"
        let args = [hf, "-N", "--style", "none", "--warmup", "5", "--runs", String(runs), "--export-json", json,
                    pmqArgv.map(shq).joined(separator: " "), shellArgv.map(shq).joined(separator: " ")]
        if try spawn(args, showErrors: true).status == 0, let data = FileManager.default.contents(atPath: json),
           let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any], let results = obj["results"] as? [[String: Any]] {
            for (name, x) in zip(["pmq", "sqlite3"], results) {
                let mean = x["mean"] as? Double ?? 0, user = x["user"] as? Double ?? 0, system = x["system"] as? Double ?? 0
                note("   hyperfine \(name): wall mean \(fmt(mean)), user \(fmt(user)), system \(fmt(system))")
            }
            unlink(json)
        }
    }
    note("   machine after: \(machineDescription())")
    let ratio = pc / max(sc, 1e-9)
    return [Figure(id: "s1", measure: "`pmq --db F -e 'count projects'` vs `sqlite3 F 'SELECT count(*) FROM projects'`, whole process, CPU (user+system), median of \(runs), interleaved; wall \(fmt(p.stats.median)) vs \(fmt(s.stats.median))",
                   pmq: fmt(pc), baseline: fmt(sc), ratio: String(format: "%.2f×", ratio), target: "≤ 2×", pass: ratio <= 2)]
}
