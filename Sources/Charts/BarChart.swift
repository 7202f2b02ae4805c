import Foundation

/// Horizontal grouped bars on a value axis (log by default), each bar with its
/// value printed at its end. Used for Phase I with and without ncp/0, ops/s
/// per provider beside `openssl speed`, and the calibration table.
public struct BarChart: ChartPanel {
    public struct Series: Sendable {
        public var name: String
        /// Drawn as an outline: a reference (published figure, `openssl speed`) rather than a measurement.
        public var outlined: Bool
        /// Palette index (default: the series' own index), so a reference can share its measurement's colour.
        public var color: Int?
        public init(_ name: String, outlined: Bool = false, color: Int? = nil) {
            self.name = name
            self.outlined = outlined
            self.color = color
        }
    }

    public struct Bar: Sendable {
        public var series: Int
        public var value: Double
        public init(series: Int, value: Double) {
            self.series = series
            self.value = value
        }
    }

    public struct Group: Sendable {
        public var label: String
        /// A second, smaller line under the label (a verdict, a ratio).
        public var note: String?
        public var bars: [Bar]
        /// Drawn on a tinted band: the group the chart is about (a configuration that fits).
        public var highlighted: Bool
        public init(_ label: String, note: String? = nil, bars: [Bar], highlighted: Bool = false) {
            self.label = label
            self.note = note
            self.bars = bars
            self.highlighted = highlighted
        }
    }

    public var header: ChartHeader
    public var series: [Series]
    public var groups: [Group]
    public var axis: ChartAxis
    public var referenceLines: [ReferenceLine]
    public var width = 960

    public init(header: ChartHeader, series: [Series], groups: [Group], axis: ChartAxis, referenceLines: [ReferenceLine] = []) {
        self.header = header
        self.series = series
        self.groups = groups
        self.axis = axis
        self.referenceLines = referenceLines
    }

    static let barHeight = 17.0
    static let barGap = 3.0
    static let groupGap = 16.0
    /// Room for the group labels: the longest label or note (approximate DejaVu
    /// Sans advance widths at 12 and 11 px), within bounds.
    var labelColumn: Double {
        let widest = groups.map { max(Double($0.label.count) * 7.2, Double($0.note?.count ?? 0) * 7.0) }.max() ?? 0
        return min(max(widest + 40, 150), Double(width) * 0.45)
    }
    static let valueRoom = 96.0

    var legend: Legend {
        Legend(entries: series.enumerated().map { Legend.Entry(name: $1.name, seriesIndex: $1.color ?? $0, outlined: $1.outlined, isLine: false) })
    }

    func groupHeight(_ g: Group) -> Double {
        let bars = Double(g.bars.count) * (Self.barHeight + Self.barGap) - Self.barGap
        return max(bars, g.note == nil ? 18 : 34)
    }

    /// Pixel height: header, legend, groups, axis, footnotes.
    public var height: Int {
        let plot = groups.map(groupHeight).reduce(0, +) + Double(max(groups.count - 1, 0)) * Self.groupGap + 24
        return Int((ChartFrame.topHeight(header, legend, width: width) + 14 + plot + 52 + header.footnoteHeight).rounded(.up))
    }

    /// Draws the chart in the band of the canvas that starts at its top.
    public func draw(on c: inout SVGCanvas) {
        let height = self.height
        let plotTop = ChartFrame.drawTop(header, legend, width: width, on: &c) + 14
        let plotBottom = Double(height) - header.footnoteHeight - 52
        let plotLeft = labelColumn
        let plotRight = Double(width) - Self.valueRoom
        let values = groups.flatMap { $0.bars.map(\.value) } + referenceLines.map(\.value)
        let scale = Scale(kind: axis.kind, domain: axis.resolvedDomain(values: values), range: plotLeft...plotRight)

        ChartFrame.drawHorizontalAxis(scale, axis, plotTop: plotTop, plotBottom: plotBottom, on: &c)

        // Reference lines first: bars and their values are drawn over them.
        for r in referenceLines {
            let x = scale.position(r.value)
            c.line(x1: x, y1: plotTop - 2, x2: x, y2: plotBottom, class: "reference", extra: [("data-value", "\(r.value)")])
            c.text(r.label, x: x - 4, y: plotTop + 2, class: "reference-label", anchor: .end)
        }
        var y = plotTop + 12
        for g in groups {
            let h = groupHeight(g)
            if g.highlighted {
                c.rect(x: ChartFrame.left - 6, y: y - Self.groupGap / 2 + 1, width: Double(width) - 2 * ChartFrame.left + 12,
                       height: h + Self.groupGap - 2, class: "highlight")
            }
            c.group([("class", "bar-group"), ("data-group", g.label)]) { c in
                let labelY = y + min(h, 2 * Self.barHeight) / 2 + (g.note == nil ? 4 : -2)
                c.text(g.label, x: plotLeft - 10, y: labelY, class: "category", anchor: .end)
                if let note = g.note { c.text(note, x: plotLeft - 10, y: labelY + 15, class: "tick", anchor: .end) }
                for (bi, bar) in g.bars.enumerated() {
                    let top = y + Double(bi) * (Self.barHeight + Self.barGap)
                    let end = scale.position(bar.value)
                    let s = series.indices.contains(bar.series) ? series[bar.series] : Series("?")
                    let color = s.color ?? bar.series
                    let text = axis.format.format(bar.value)
                    let data = [("data-series", s.name), ("data-value", "\(bar.value)")]
                    c.rect(x: plotLeft, y: top, width: end - plotLeft, height: Self.barHeight,
                           class: (s.outlined ? ChartTheme.outlineClass(color) : ChartTheme.seriesClass(color)) + " bar",
                           extra: data, title: "\(g.label) — \(s.name): \(text)")
                    c.text(text, x: end + 5, y: top + Self.barHeight - 4.5, class: "value", extra: data)
                }
            }
            y += h + Self.groupGap
        }

        header.drawFootnotes(on: &c, left: ChartFrame.left, bottom: Double(height))
    }
}
