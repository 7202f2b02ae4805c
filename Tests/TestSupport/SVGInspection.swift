import Foundation
import ProcessSupport
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG as a test sees it: parsed by Foundation's XMLParser (so it is
/// well-formed XML), and rendered by a real renderer, librsvg's `rsvg-convert`.
public struct SVGInspection {
    public struct Element {
        public let name: String
        public let attributes: [String: String]
        /// Text directly inside (for `<text>`: what is drawn).
        public var text: String
    }

    public let elements: [Element]

    /// Fails with the parser's error when `svg` is not well-formed XML.
    public init(_ svg: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw InspectionError("not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)")
        }
        elements = collector.elements
    }

    public var root: Element? { elements.first }

    public func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Elements carrying a `data-value` (bars, value labels, line points).
    public func valued(_ name: String, series: String? = nil) -> [Element] {
        all(name).filter { $0.attributes["data-value"] != nil && (series == nil || $0.attributes["data-series"] == series) }
    }

    /// Renders with `rsvg-convert` and returns the PNG's width and height (from its IHDR chunk).
    public static func renderedSize(_ svg: String) throws -> (width: Int, height: Int) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svg-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("chart.svg"), output = dir.appendingPathComponent("chart.png")
        try Data(svg.utf8).write(to: input)
        var command = Command("/usr/bin/rsvg-convert", ["--format", "png", "--output", output.path, input.path])
        command.preloadsSanitizerRuntime = false
        let outcome = try ChildProcess.run(command)
        guard outcome.termination == .exited(0) else { throw InspectionError("rsvg-convert failed, \(outcome)") }
        let png = try Data(contentsOf: output)
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count > 24, Array(png.prefix(8)) == signature, String(decoding: png[12..<16], as: UTF8.self) == "IHDR" else {
            throw InspectionError("rsvg-convert wrote no PNG")
        }
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, text: ""))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = open.last { elements[i].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = open.popLast()
        }
    }
}

public struct InspectionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
