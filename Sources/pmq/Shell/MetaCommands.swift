import Foundation
import PMQ

/// sqlite3-style dot commands of the shell.
enum MetaCommand {
    static let names = [".help", ".schema", ".format", ".timer", ".today", ".read", ".open", ".maxrows", ".quit", ".exit"]

    /// What Tab offers for a dot command's argument (W6): the command's own choices, never
    /// the query language's keywords. `before` is the line up to `word`, the text readline
    /// replaces (it stops at `/`, so a path's last part). Nil when `before` is not a dot
    /// command followed by a space: the query language's completion applies.
    static func argumentCandidates(before: String, word: String, schema: Schema) -> [String]? {
        guard before.hasPrefix("."), let space = before.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        let command = String(before[..<space]).lowercased()
        let typed = before[space...].trimmingCharacters(in: .whitespaces)
        if command == ".read" || command == ".open" { return fileCandidates(typed: typed, word: word) }
        // The other commands take one word.
        guard typed.isEmpty else { return [] }
        let choices: [String]
        switch command {
        case ".format": choices = OutputFormat.allCases.map(\.rawValue)
        case ".timer": choices = ["on", "off"]
        case ".schema": choices = schema.entities.map(\.plural)
        case ".help": choices = Help.topics.map(\.name)
        default: choices = []  // .today, .maxrows: a value only the user knows
        }
        let w = word.lowercased()
        return choices.filter { $0.lowercased().hasPrefix(w) }
    }

    /// File names for `typed` + `word`: readline's word stops at `/` outside quotes but
    /// takes the whole path inside them, so the path is put together and split at its last
    /// `/` (an opening quote dropped; the working directory when there is none). Each
    /// candidate is `word`'s own folder part plus an entry's name; folders end in `/` so Tab
    /// can go on into them. Hidden entries only when the name typed starts with `.`.
    private static func fileCandidates(typed: String, word: String) -> [String] {
        var path = typed + word
        if path.hasPrefix("\"") { path.removeFirst() }
        let cut = path.lastIndex(of: "/")
        let folder = cut.map { String(path[...$0]) } ?? ""
        let name = cut.map { String(path[path.index(after: $0)...]) } ?? path
        let wordFolder = word.lastIndex(of: "/").map { String(word[...$0]) } ?? ""
        let directory = folder.isEmpty ? "." : folder
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return entries.filter { $0.hasPrefix(name) && (name.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { entry in
            var isFolder: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(entry)
            let shown = wordFolder + entry
            return FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) && isFolder.boolValue ? shown + "/" : shown
        }
    }

    /// Runs one; false means leave the shell.
    static func run(_ line: String, shell: Shell) -> Bool {
        let (command, argument) = split(line)
        switch command {
        case ".quit", ".exit":
            return false
        case ".help":
            print(Help.text(topic: argument))
        case ".schema":
            if argument.isEmpty {
                print(shell.session.schema.entities.map(\.schemaDescription).joined(separator: "\n\n"))
            } else if let e = shell.session.schema.entity(named: argument) {
                print(e.schemaDescription)
            } else {
                fail("unknown entity \"\(argument)\"", suggest: argument, among: shell.session.schema.entities.map(\.plural))
            }
        case ".format":
            if let f = OutputFormat(rawValue: argument) { shell.format = f } else {
                fail(argument.isEmpty ? "the format is \(shell.format.rawValue); choose table, csv, tsv, json, markdown or html" : "unknown format \"\(argument)\"; choose table, csv, tsv, json, markdown or html")
            }
        case ".timer":
            switch argument {
            case "on": shell.timer = true
            case "off": shell.timer = false
            default: fail("write .timer on or .timer off")
            }
        case ".maxrows":
            if let n = Int(argument), n >= 0 { shell.maxRows = n } else { fail("write .maxrows N (0 shows every row)") }
        case ".today":
            if argument.isEmpty { print(shell.session.today.iso) } else if let d = Day(iso: argument), d.isInRange { shell.session.today = d } else {
                fail(Day(iso: argument) != nil ? "dates run from 0001-01-01 to 9999-12-31"
                     : argument.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil ? "\(argument) is not a real date"
                     : "write the date as YYYY-MM-DD")
            }
        case ".read":
            let file = unquoted(argument)
            guard !file.isEmpty, let data = FileManager.default.contents(atPath: file) else {
                fail("cannot read \"\(file)\"")
                return true
            }
            shell.execute(SourceFile(name: file, text: String(decoding: data, as: UTF8.self)))
        case ".open":
            let argument = unquoted(argument)
            guard !argument.isEmpty else { fail("write .open FILE"); return true }
            // A URL's password is never echoed (errors mask it the same way).
            let shown = Store.shown(argument)
            // Another database would leave an open `begin` behind: asked as `.quit` asks.
            guard shell.confirmDiscard("open \(shown)") else { return true }
            do {
                let s = try Session(path: argument, today: shell.session.today)
                s.allowsExplicitTransactions = true
                // Rolled back only once the other file is open: a file that cannot be opened
                // leaves the transaction as it was.
                shell.discardTransaction()
                shell.session = s
                shell.inMemory = false
                Shell.say("Opened \(shown).")
            } catch let e as StoreError where e.kind == .notPMQ && e.message.hasSuffix("holds other tables and no PMQ schema") {
                // As the command says it; the shell itself cannot take a database over.
                fail("\(e) (pmq --db FILE --init adds PMQ's tables to it)")
            } catch {
                fail("\(error)")
            }
        default:
            fail("unknown command \(command)", suggest: command, among: names)
        }
        return true
    }

    /// The command word and the rest of the line, trimmed.
    static func split(_ line: String) -> (command: String, argument: String) {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
    }

    /// A file name as written after `.open` or `.read`: PMQ writes file names in quotes
    /// (`import "F.csv"`), so `.open "plan.db"` and `.open 'my plan.db'` name plan.db and
    /// `my plan.db`, as in sqlite3, not a file whose name holds the quotes (W17).
    static func unquoted(_ argument: String) -> String {
        guard argument.count >= 2, let first = argument.first, first == "\"" || first == "'", argument.last == first else { return argument }
        return String(argument.dropFirst().dropLast())
    }

    /// A dot command as the history file keeps it: the password of a `.open` URL as `***`,
    /// so it is not written to disk in clear (W21).
    static func forHistory(_ line: String) -> String {
        let (command, argument) = split(line.trimmingCharacters(in: .whitespaces))
        guard command == ".open" else { return line }
        let target = unquoted(argument)
        guard Store.isServerURL(target) else { return line }
        return ".open " + Store.shown(target)
    }

    static func fail(_ message: String, suggest word: String? = nil, among: [String] = []) {
        var text = "error: \(message)"
        if let word, let best = Suggestions.closest(to: word, in: among) { text += "; did you mean \(best)?" }
        fputs(text + "\n", stderr)
    }
}
