import Foundation

/// A tiny typed builder for HTML and SVG: every text and attribute value is escaped
/// when the tree is written, so no task name, person or file path can become markup.
///
/// Why not Plot (JohnSundell/Plot 0.14.0): it writes attribute values unescaped
/// (`title="\(value)"`) and leaves anything that looks like an entity (`&lt;`) in text
/// as it is, so a task named `"><script>` or `&lt;` would not come out as typed.
/// The only unescaped content here is a `StaticString` (the page's own CSS), which no
/// user value can reach.
struct Markup: Sendable {
    enum Node: Sendable {
        case element(String, [(String, String)], [Node])
        case text(String)
        case trusted(String)
    }
    var node: Node

    /// An element; attribute values are escaped (their names are always literals in this
    /// code), children are nodes.
    static func el(_ name: StaticString, _ attributes: [(String, String)] = [], _ children: [Markup] = []) -> Markup {
        Markup(node: .element(name.description, attributes, children.map(\.node)))
    }
    static func el(_ name: StaticString, _ attributes: [(String, String)] = [], text: String) -> Markup {
        el(name, attributes, [.text(text)])
    }
    static func text(_ s: String) -> Markup { Markup(node: .text(s)) }
    /// Text written as it is: only compile-time constants qualify.
    static func trusted(_ s: StaticString) -> Markup { Markup(node: .trusted(s.description)) }

    /// A number as SVG and CSS write it: at most two decimals, no trailing zeros.
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    func render() -> String {
        var out = ""
        Markup.write(node, into: &out)
        return out
    }

    /// Elements that have no content in HTML and close themselves in SVG.
    private static let void: Set<String> = ["meta", "br", "line", "rect", "path", "circle", "polygon", "polyline"]

    private static func write(_ node: Node, into out: inout String) {
        switch node {
        case .text(let s): out += escape(s, quotes: false)
        case .trusted(let s): out += s
        case .element(let name, let attributes, let children):
            out += "<" + name
            for (k, v) in attributes { out += " " + k + "=\"" + escape(v, quotes: true) + "\"" }
            if children.isEmpty && void.contains(name) { out += name == "meta" ? ">" : "/>"; return }
            out += ">"
            for c in children { write(c, into: &out) }
            out += "</" + name + ">"
        }
    }

    /// `&`, `<`, `>` always; quotes in attribute values; control characters that XML
    /// forbids are dropped so the SVG stays well-formed.
    static func escape(_ s: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            default:
                if c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
