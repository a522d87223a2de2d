/// "Did you mean" for unknown names: the closest candidate by edit distance, when close enough.
public enum Suggestions {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.lowercased())
        let lower = word.lowercased()
        // The word itself is no suggestion (`found "offset"; did you mean "offset"?` says nothing).
        let candidates = candidates.filter { $0.lowercased() != lower }
        // A word that begins one candidate only is most likely that one, however short:
        // `ve` → `vendor` rather than `me`, one letter away (H10).
        if w.count >= 2 {
            let starting = candidates.filter { $0.lowercased().hasPrefix(lower) }
            if let first = starting.first, starting.allSatisfy({ $0.lowercased() == first.lowercased() }) { return first }
        }
        var best: (String, Int)?
        for c in candidates {
            let d = distance(w, Array(c.lowercased()))
            if d <= max(1, min(3, w.count / 2)), d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        // Prefixes count too: `dep` → `department`.
        if best == nil, w.count >= 3 { return candidates.first { $0.lowercased().hasPrefix(word.lowercased()) } }
        return best?.0
    }

    /// Never the word itself: a name found where it does not belong is not misspelt.
    /// The same for a key of a row (a person's name, a project's code): keys are compared exactly, so a key that
    /// differs only in case (`"li wei"` for `"Li Wei"`) is the likeliest meaning, where for a keyword or a field,
    /// which are read ignoring case, it would be the word itself (review 12).
    static func didYouMeanKey(_ key: String, _ candidates: [String]) -> String {
        let lower = key.lowercased()
        if let same = candidates.first(where: { $0 != key && $0.lowercased() == lower }) { return "; did you mean \"\(same)\"?" }
        return didYouMean(key, candidates)
    }

    static func didYouMean(_ word: String, _ candidates: [String]) -> String {
        guard let c = closest(to: word, in: candidates), c != word else { return "" }
        return "; did you mean \"\(c)\"?"
    }

    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
