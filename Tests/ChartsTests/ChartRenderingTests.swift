import Charts
import Foundation
import Testing
import TestSupport

/// Every chart type is well-formed XML, renders with librsvg to a PNG of its
/// declared size, and draws the values it was given.
@Suite("SVG charts")
struct ChartRenderingTests {
    static let header = ChartHeader(
        title: "Phase I <with> & \"without\" ncp/0", subtitles: ["platform t2000 'quoted'", "RSA-1024, group 2"],
        date: Date(timeIntervalSince1970: 1_800_000_000), footnotes: ["ikebench compare --svg a&b.svg"])

    static func checkRenders(_ svg: String) throws -> SVGInspection {
        let doc = try SVGInspection(svg)
        let root = try #require(doc.root)
        #expect(root.name == "svg")
        let (w, h) = (Int(root.attributes["width"] ?? ""), Int(root.attributes["height"] ?? ""))
        let size = try SVGInspection.renderedSize(svg)
        #expect(size.width == w && size.height == h)
        return doc
    }

    @Test func barChartDrawsEveryValueOnLogAxis() throws {
        let values: [[Double]] = [[0.0007526, 0.002279], [0.001281, 0.249037], [0.165, 7.73]]
        let chart = BarChart(
            header: Self.header, series: [.init("with ncp/0"), .init("without ncp/0", outlined: true)],
            groups: values.enumerated().map { i, v in
                .init("group \(i) <x>", note: "ratio \(v[1] / v[0])", bars: v.enumerated().map { .init(series: $0, value: $1) })
            },
            axis: ChartAxis(label: "Phase I p50 (log scale)", kind: .log, format: .seconds),
            referenceLines: [ReferenceLine(value: 7.73, label: "2007: 7.73 s")])
        let doc = try Self.checkRenders(chart.svg())
        let bars = doc.valued("rect")
        #expect(bars.map { Double($0.attributes["data-value"]!)! } == values.flatMap { $0 })
        #expect(doc.valued("text").map(\.text) == values.flatMap { $0 }.map(ValueFormat.seconds.format))
        // Log axis: a bar's length grows with log(value) from the axis minimum.
        let widths = bars.map { Double($0.attributes["width"]!)! }
        let logs = values.flatMap { $0 }.map { log10($0) }
        let perDecade = (widths[5] - widths[0]) / (logs[5] - logs[0])
        for (w, l) in zip(widths, logs) { #expect(abs(w - (widths[0] + (l - logs[0]) * perDecade)) < 0.1) }
        #expect(doc.all("text").contains { $0.text == "Phase I <with> & \"without\" ncp/0" })
    }

    @Test func lineChartMarksEventsAndPoints() throws {
        let points = stride(from: 1, through: 10, by: 1).map { LineChart.Point(x: Double($0), y: $0 < 5 ? 0.0013 : 0.25) }
        let chart = LineChart(
            header: Self.header, series: [.init("modeled T2000", points: points)],
            xAxis: ChartAxis(label: "seconds since start", kind: .linear, format: .plain),
            yAxis: ChartAxis(label: "Phase I mean", kind: .log, format: .seconds),
            events: [.init(x: 4.4, label: "policy applied: ncp/0: 6 disabled")])
        let doc = try Self.checkRenders(chart.svg())
        #expect(doc.valued("circle").map { Double($0.attributes["data-value"]!)! } == points.map(\.y))
        #expect(doc.all("line").contains { $0.attributes["data-x"] == "4.4" })
        #expect(doc.all("text").contains { $0.text == "policy applied: ncp/0: 6 disabled" })
    }

    @Test func percentileAxisPutsNinesEvenlyApart() {
        let s = Scale(kind: .percentile, domain: 0...99.9, range: 0...300)
        #expect(s.ticks == [0, 50, 75, 90, 99, 99.9])
        #expect(abs(s.position(90) - 100) < 1e-9 && abs(s.position(99) - 200) < 1e-9)
    }

    /// A percentile domain reaching 100 (more than 10⁸ samples' worth of nines,
    /// or just a p100) used to loop forever: 100·(1 − 10⁻ⁿ) rounds to 100.
    @Test(.timeLimit(.minutes(1))) func percentileAxisUpTo100Ends() {
        for top in [100.0, 250, .infinity] {
            let s = Scale(kind: .percentile, domain: 0...top, range: 0...300)
            #expect(s.ticks.count == 11, "\(top): 0, 50, 75 and eight nines")
            #expect(abs((s.ticks.last ?? 0) - 99.999_999) < 1e-9)
            #expect(s.position(100).isFinite && s.position(100) == 300)
        }
    }

    /// A log domain starting at 0 (or below) has a −inf first decade: the ticks
    /// stop after a bounded number of decades under the top.
    @Test(.timeLimit(.minutes(1))) func logAxisFromZeroEnds() {
        for bottom in [0.0, -5] {
            let s = Scale(kind: .log, domain: bottom...1000, range: 0...300)
            #expect(s.ticks.last == 1000)
            #expect(s.ticks.count == 13 && s.ticks.allSatisfy { $0 > 0 && $0.isFinite }, "\(s.ticks)")
        }
        #expect(Scale(kind: .log, domain: -2...0, range: 0...300).ticks.isEmpty)
    }

    @Test func escapingKeepsTextAndDropsForbiddenCharacters() throws {
        #expect(SVGCanvas.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;")
        #expect(SVGCanvas.escape("x\u{01}y") == "x\u{FFFD}y")
        var c = SVGCanvas(width: 10, height: 10)
        c.text("</svg><script>\u{07}", x: 1, y: 1, class: "c\"lass")
        let doc = try SVGInspection(c.document(title: "t", description: "d"))
        #expect(doc.all("text").first?.text == "</svg><script>\u{FFFD}")
        #expect(doc.all("script").isEmpty)
    }

    /// Readable in a light and a dark viewer: an opaque background of the chart's own
    /// covers the whole canvas before anything else, and a dark variant exists for
    /// viewers that honour prefers-color-scheme.
    @Test func drawsItsOwnBackgroundWithADarkVariant() throws {
        let chart = LineChart(header: Self.header, series: [.init("s", points: [.init(x: 1, y: 1), .init(x: 2, y: 10)])],
                              xAxis: ChartAxis(label: "x", kind: .linear, format: .plain),
                              yAxis: ChartAxis(label: "y", kind: .log, format: .plain))
        let svg = chart.svg()
        let doc = try SVGInspection(svg)
        let root = try #require(doc.root)
        let firstDrawn = try #require(doc.elements.first { ["rect", "line", "text", "circle", "polyline"].contains($0.name) })
        #expect(firstDrawn.attributes["class"] == "background")
        #expect(firstDrawn.attributes["width"] == root.attributes["width"] && firstDrawn.attributes["height"] == root.attributes["height"])
        let style = try #require(doc.all("style").first?.text)
        #expect(style.contains(".background{fill:#ffffff}"))
        #expect(style.contains("@media (prefers-color-scheme: dark)"))
    }
}
