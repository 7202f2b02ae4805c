import Foundation

/// Lines of (x, y) points with a marker at each point, vertical event marks
/// (a policy change mid-run) and horizontal reference lines. Used for the
/// latency distribution (percentile x axis) and Phase I over time.
public struct LineChart: ChartPanel {
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public init(_ name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// Something that happened at `x`: drawn as a labelled vertical line.
    public struct Event: Sendable {
        public var x: Double
        public var label: String
        public init(x: Double, label: String) {
            self.x = x
            self.label = label
        }
    }

    public var header: ChartHeader
    public var series: [Series]
    public var xAxis: ChartAxis
    public var yAxis: ChartAxis
    public var events: [Event]
    public var referenceLines: [ReferenceLine]
    public var width = 960
    public var plotHeight = 300.0

    public init(header: ChartHeader, series: [Series], xAxis: ChartAxis, yAxis: ChartAxis,
                events: [Event] = [], referenceLines: [ReferenceLine] = []) {
        self.header = header
        self.series = series
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.events = events
        self.referenceLines = referenceLines
    }

    var legend: Legend {
        Legend(entries: series.enumerated().map { Legend.Entry(name: $1.name, seriesIndex: $0, outlined: false, isLine: true) })
    }

    public var height: Int {
        return Int((ChartFrame.topHeight(header, legend, width: width) + 20 + plotHeight + 54 + header.footnoteHeight).rounded(.up))
    }

    /// Draws the chart in the band of the canvas that starts at its top.
    public func draw(on c: inout SVGCanvas) {
        let height = self.height
        let plotTop = ChartFrame.drawTop(header, legend, width: width, on: &c) + 20
        let plotBottom = plotTop + plotHeight
        let plotLeft = 92.0
        let plotRight = Double(width) - 36
        let xs = series.flatMap { $0.points.map(\.x) } + events.map(\.x)
        let ys = series.flatMap { $0.points.map(\.y) } + referenceLines.map(\.value)
        let xScale = Scale(kind: xAxis.kind, domain: xAxis.resolvedDomain(values: xs), range: plotLeft...plotRight)
        let yScale = Scale(kind: yAxis.kind, domain: yAxis.resolvedDomain(values: ys), range: plotTop...plotBottom, reversed: true)

        for t in yScale.ticks {
            let y = yScale.position(t)
            c.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, class: "grid")
            c.text(yAxis.format.tick(t), x: plotLeft - 6, y: y + 4, class: "tick", anchor: .end)
        }
        ChartFrame.drawHorizontalAxis(xScale, xAxis, plotTop: plotTop, plotBottom: plotBottom, on: &c)
        let yLabelX = 24.0, yLabelY = (plotTop + plotBottom) / 2
        c.text(yAxis.label, x: yLabelX, y: yLabelY, class: "axis-label", anchor: .middle, rotate: -90)

        for r in referenceLines {
            let y = yScale.position(r.value)
            c.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, class: "reference", extra: [("data-value", "\(r.value)")])
            c.text(r.label, x: plotRight - 4, y: y - 5, class: "reference-label", anchor: .end)
        }
        for (i, e) in events.enumerated() {
            let x = xScale.position(e.x)
            c.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, class: "event", extra: [("data-x", "\(e.x)")])
            let rightHalf = x > (plotLeft + plotRight) / 2
            c.text(e.label, x: rightHalf ? x - 6 : x + 6, y: plotTop + 14 + Double(i % 3) * 14, class: "event-label",
                   anchor: rightHalf ? .end : .start)
        }
        for (si, s) in series.enumerated() {
            c.group([("class", "series"), ("data-series", s.name)]) { c in
                let points = s.points.map { (xScale.position($0.x), yScale.position($0.y)) }
                c.polyline(points, class: "line " + ChartTheme.outlineClass(si))
                for (p, xy) in zip(s.points, points) {
                    c.circle(cx: xy.0, cy: xy.1, r: 2.6, class: ChartTheme.seriesClass(si) + " point",
                             extra: [("data-x", "\(p.x)"), ("data-value", "\(p.y)")],
                             title: "\(s.name): \(xAxis.format.format(p.x)) → \(yAxis.format.format(p.y))")
                }
            }
        }
        header.drawFootnotes(on: &c, left: ChartFrame.left, bottom: Double(height))
    }
}
