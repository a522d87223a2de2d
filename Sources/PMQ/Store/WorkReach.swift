/// `pmq_walk(id, project, wbs, parent_wbs, from, to, start)`: SQLite's fast walk of
/// `downstream of` / `upstream of` a task given by id (no `as of`), the same walk as
/// WorkWalkSQL's recursive CTE: links read as `schedule` reads them, a link to or from a
/// summary holding for every task below it. The aggregate is fed every link (`from`, `to`;
/// the other arguments null) and every task (`id`, `project`, `wbs`, `parent_wbs`) in one
/// scan, and returns the ids reached (the start left out) as a JSON array, in id order.
///
/// The states are WorkWalkSQL's (without `startBranch`): 0 start, 1 in (a task a link
/// reaches and each below it), 2 out of the start, 3 out of reached work (a task's links
/// and those of every task above it). Tasks in state 1 are the answer.
final class WorkReach {
    var start: Int64?
    var linkFrom: [Int64] = []
    var linkTo: [Int64] = []
    var ids: [Int64] = []
    var parentCode: [String?] = []
    /// (project, wbs) of each task: its parent is the task of its project with its parent code.
    var key: [String: Int] = [:]
    var keys: [String] = []

    /// Adds one task row.
    func task(id: Int64, project: Int64?, wbs: String, parent: String?) {
        let prefix = project.map { String($0) } ?? "-"
        key[prefix + " " + wbs] = ids.count
        ids.append(id)
        parentCode.append(parent.map { prefix + " " + $0 })
    }

    func result() -> String {
        guard let start else { return "[]" }
        let n = ids.count
        // Dense numbering of tasks: their index in `ids`; row ids are nearly dense, so by an
        // array when they are, else by a dictionary.
        let top = ids.max() ?? 0, low = ids.min() ?? 0
        var byArray: [Int32] = []
        var byDictionary: [Int64: Int32] = [:]
        let dense = low >= 0 && top < Int64(4 * n + 1024)
        if dense {
            byArray = [Int32](repeating: -1, count: Int(top) + 1)
            for (i, id) in ids.enumerated() { byArray[Int(id)] = Int32(i) }
        } else {
            byDictionary.reserveCapacity(n)
            for (i, id) in ids.enumerated() { byDictionary[id] = Int32(i) }
        }
        func index(_ id: Int64) -> Int32? {
            if dense { return id >= 0 && id <= top && byArray[Int(id)] >= 0 ? byArray[Int(id)] : nil }
            return byDictionary[id]
        }
        guard let s = index(start) else { return "[]" }
        var parent = [Int32](repeating: -1, count: n)
        var childCount = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n {
            if let c = parentCode[i], let p = key[c] { parent[i] = Int32(p); childCount[p + 1] += 1 }
        }
        // Children and links out of each task, each as one array by task (counting sorts).
        var firstChild = childCount
        for i in 0..<n { firstChild[i + 1] += firstChild[i] }
        var children = [Int32](repeating: 0, count: n)
        var nextChild = firstChild
        for i in 0..<n where parent[i] >= 0 {
            let p = Int(parent[i])
            children[Int(nextChild[p])] = Int32(i)
            nextChild[p] += 1
        }
        var firstLink = [Int32](repeating: 0, count: n + 1)
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(linkFrom.count)
        for (a, b) in zip(linkFrom, linkTo) {
            if let x = index(a), let y = index(b) { pairs.append((x, y)); firstLink[Int(x) + 1] += 1 }
        }
        for i in 0..<n { firstLink[i + 1] += firstLink[i] }
        var targets = [Int32](repeating: 0, count: pairs.count)
        var nextLink = firstLink
        for (x, y) in pairs { targets[Int(nextLink[Int(x)])] = y; nextLink[Int(x)] += 1 }

        // Breadth first over (state, task), each visited once.
        var seen = [[Bool]](repeating: [Bool](repeating: false, count: n), count: 4)
        var queue: [(UInt8, Int32)] = [(0, s)]
        seen[0][Int(s)] = true
        var head = 0
        func visit(_ k: UInt8, _ t: Int32) {
            if !seen[Int(k)][Int(t)] { seen[Int(k)][Int(t)] = true; queue.append((k, t)) }
        }
        while head < queue.count {
            let (k, t) = queue[head]; head += 1
            let i = Int(t)
            switch k {
            case 0:
                visit(2, t)
            case 1:
                for c in Int(firstChild[i])..<Int(firstChild[i + 1]) { visit(1, children[c]) }
                visit(3, t)
            default:
                if parent[i] >= 0 { visit(k, parent[i]) }
                for l in Int(firstLink[i])..<Int(firstLink[i + 1]) { visit(1, targets[l]) }
            }
        }
        var out: [Int64] = []
        for i in 0..<n where seen[1][i] && i != Int(s) { out.append(ids[i]) }
        // In id order: SQLite then builds its IN list and looks the tasks up front to back.
        out.sort()
        var text = "["
        text.reserveCapacity(out.count * 8 + 2)
        for (i, id) in out.enumerated() {
            if i > 0 { text += "," }
            text += String(id)
        }
        return text + "]"
    }
}
