/// Tasks and milestones as iCalendar (RFC 5545) all-day events: a task spans its start
/// to its finish (DTEND is the day after, as all-day events end; DURATION when that day is past
/// 9999-12-31), a milestone is one day.
/// The text is CRLF-terminated and folded at 75 octets, with TEXT values escaped.
struct ICalendarExport {
    let session: SessionContext

    func calendar(of ids: [Int64]) throws -> (text: String, events: Int) {
        let db = session.db
        var rows: [Int64: [Value]] = [:]
        // One statement for all the rows; the ids are bound as one JSON array.
        let sql = LookupSQL.calendarEvents(db.dialect)
        try db.query(sql, [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]) { s in
            if case .integer(let id) = s[0] { rows[id] = (1...10).map { s[Int32($0)] } }
        }
        let stamp = session.today.iso.replacingOccurrences(of: "-", with: "") + "T000000Z"
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//PMQ//PMQ export//EN", "CALSCALE:GREGORIAN"]
        var events = 0
        for id in ids {
            guard let r = rows[id] else { continue }
            func day(_ v: Value) -> Day? { if case .integer(let n) = v { return Day(Int(n)) }; return nil }
            let milestone = r[5] == .integer(1)
            guard let first = day(r[3]) ?? day(r[4]) else { continue }
            let last = milestone ? first : (day(r[4]) ?? first)
            let code = ConstantEvaluator.text(r[0].isNull ? .text("none") : r[0])
            let wbs = ConstantEvaluator.text(r[1])
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(escape(code))-\(escape(wbs))@pmq")
            lines.append("DTSTAMP:\(stamp)")
            let begin = milestone ? (day(r[4]) ?? first) : first
            let end = (milestone ? begin : max(first, last)) + 1
            lines.append("DTSTART;VALUE=DATE:\(compact(begin))")
            // The day after 9999-12-31 has no iCalendar date (four-digit years): such an event
            // says how many days it lasts instead, as RFC 5545 allows (V6).
            lines.append(end.isInRange ? "DTEND;VALUE=DATE:\(compact(end))" : "DURATION:P\(end.number - begin.number)D")
            lines.append("SUMMARY:" + escape((milestone ? "◆ " : "") + wbs + " " + ConstantEvaluator.text(r[2])))
            var description = "status \(ConstantEvaluator.text(r[6])), \(ConstantEvaluator.text(r[7].isNull ? .integer(0) : r[7]))% done"
            if !r[8].isNull { description += ", owner \(ConstantEvaluator.text(r[8]))" }
            if case .text(let notes) = r[9], !notes.isEmpty { description += "\n" + notes }
            lines.append("DESCRIPTION:" + escape(description))
            lines.append("CATEGORIES:" + (milestone ? "milestone" : "task"))
            lines.append("TRANSP:TRANSPARENT")
            lines.append("END:VEVENT")
            events += 1
        }
        lines.append("END:VCALENDAR")
        return (lines.map(fold).joined(separator: "\r\n") + "\r\n", events)
    }

    private func compact(_ d: Day) -> String { d.iso.replacingOccurrences(of: "-", with: "") }

    /// TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks; the
    /// other control characters, which TEXT cannot hold, are dropped (tab is allowed).
    private func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": break
            default:
                if let v = ch.unicodeScalars.first?.value, ch.unicodeScalars.count == 1, (v < 0x20 && v != 9) || v == 0x7F { continue }
                out.append(ch)
            }
        }
        return out
    }

    /// Lines longer than 75 octets continue on the next line after a space, never
    /// splitting a UTF-8 character.
    private func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = "", width = 0, limit = 75
        for scalar in line.unicodeScalars {
            let n = String(scalar).utf8.count
            if width + n > limit {
                out += "\r\n "
                width = 1
                limit = 75
            }
            out.unicodeScalars.append(scalar)
            width += n
        }
        return out
    }
}
