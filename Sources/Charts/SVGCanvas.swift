import Foundation

/// Builds one SVG document as text. Every string that reaches the output —
/// attribute values and text content — passes through ``escape(_:)``, so a
/// provider or file name with `<`, `&` or quotes cannot break the XML.
public struct SVGCanvas {
    public let width: Int
    public let height: Int
    private var body: [String] = []
    private var depth = 1

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// XML 1.0 escaping for text and double-quoted attribute values; characters
    /// XML 1.0 forbids (C0 controls other than tab, LF, CR) become U+FFFD.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals (smaller files, stable output).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let rounded = (x * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    private static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    private mutating func emit(_ line: String) {
        body.append(String(repeating: "  ", count: depth) + line)
    }

    public mutating func element(_ name: String, _ attrs: [(String, String)], text: String? = nil, title: String? = nil) {
        let open = "<\(name)\(Self.attributes(attrs))"
        switch (text, title) {
        case (nil, nil): emit(open + "/>")
        case (let text?, nil): emit(open + ">" + Self.escape(text) + "</\(name)>")
        case (let text, let title?):
            emit(open + "><title>" + Self.escape(title) + "</title>" + Self.escape(text ?? "") + "</\(name)>")
        }
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, class cls: String,
                              extra: [(String, String)] = [], title: String? = nil) {
        element("rect", [("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(max(0, width))),
                         ("height", Self.number(max(0, height))), ("class", cls)] + extra, title: title)
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, class cls: String, extra: [(String, String)] = []) {
        element("line", [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)),
                         ("y2", Self.number(y2)), ("class", cls)] + extra)
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ s: String, x: Double, y: Double, class cls: String, anchor: Anchor = .start,
                              extra: [(String, String)] = [], rotate: Double? = nil) {
        var attrs = [("x", Self.number(x)), ("y", Self.number(y)), ("class", cls)]
        if anchor != .start { attrs.append(("text-anchor", anchor.rawValue)) }
        if let rotate { attrs.append(("transform", "rotate(\(Self.number(rotate)) \(Self.number(x)) \(Self.number(y)))")) }
        element("text", attrs + extra, text: s)
    }

    public mutating func polyline(_ points: [(Double, Double)], class cls: String, extra: [(String, String)] = []) {
        let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        element("polyline", [("points", list), ("class", cls)] + extra)
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, class cls: String, extra: [(String, String)] = [],
                                title: String? = nil) {
        element("circle", [("cx", Self.number(cx)), ("cy", Self.number(cy)), ("r", Self.number(r)), ("class", cls)] + extra,
                title: title)
    }

    /// Elements drawn by `content` inside `<g>` with these attributes.
    public mutating func group(_ attrs: [(String, String)], _ content: (inout SVGCanvas) -> Void) {
        emit("<g\(Self.attributes(attrs))>")
        depth += 1
        content(&self)
        depth -= 1
        emit("</g>")
    }

    /// The document: the theme's style sheet, a background that makes it
    /// readable whatever the viewer's own background, then the body.
    public func document(title: String, description: String) -> String {
        var out = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)" role="img">"#,
            "  <title>\(Self.escape(title))</title>",
            "  <desc>\(Self.escape(description))</desc>",
            "  <style>\(ChartTheme.styleSheet)</style>",
            #"  <rect class="background" x="0" y="0" width="\#(width)" height="\#(height)"/>"#,
        ]
        out += body
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
