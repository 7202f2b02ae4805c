import Foundation

/// What every chart draws around its plot: the header and legend above it,
/// ticks, grid lines and the axis label of a scale, the footnotes below.
enum ChartFrame {
    static let left = 20.0

    /// Height of the header and legend together.
    static func topHeight(_ header: ChartHeader, _ legend: Legend, width: Int) -> Double {
        header.height + 8 + Double(legend.rows(maxWidth: Double(width) - 40)) * 18
    }

    /// Draws header and legend; returns their height (where the plot may start).
    static func drawTop(_ header: ChartHeader, _ legend: Legend, width: Int, on c: inout SVGCanvas) -> Double {
        header.draw(on: &c, left: left)
        legend.draw(on: &c, left: left, y: header.height + 12, maxWidth: Double(width) - 40)
        return topHeight(header, legend, width: width)
    }

    /// Vertical grid lines and tick labels of a horizontal scale, the axis line and its label.
    static func drawHorizontalAxis(_ scale: Scale, _ axis: ChartAxis, plotTop: Double, plotBottom: Double, on c: inout SVGCanvas) {
        for t in scale.ticks {
            let x = scale.position(t)
            c.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, class: "grid")
            c.text(axis.format.tick(t), x: x, y: plotBottom + 16, class: "tick", anchor: .middle)
        }
        c.line(x1: scale.range.lowerBound, y1: plotTop, x2: scale.range.lowerBound, y2: plotBottom, class: "axis")
        c.line(x1: scale.range.lowerBound, y1: plotBottom, x2: scale.range.upperBound, y2: plotBottom, class: "axis")
        c.text(axis.label, x: (scale.range.lowerBound + scale.range.upperBound) / 2, y: plotBottom + 37, class: "axis-label",
               anchor: .middle)
    }
}

/// A row of swatches naming the series.
struct Legend {
    struct Entry { let name: String; let seriesIndex: Int; let outlined: Bool; let isLine: Bool }
    let entries: [Entry]
    static let height = 24.0

    func draw(on canvas: inout SVGCanvas, left: Double, y: Double, maxWidth: Double) {
        var x = left
        var row = y
        for e in entries {
            let width = 22 + Double(e.name.count) * 7 + 18
            if x + width > left + maxWidth, x > left {
                x = left
                row += 18
            }
            if e.isLine {
                canvas.line(x1: x, y1: row - 4, x2: x + 16, y2: row - 4, class: "line " + ChartTheme.outlineClass(e.seriesIndex))
            } else {
                canvas.rect(x: x, y: row - 11, width: 16, height: 11,
                            class: e.outlined ? ChartTheme.outlineClass(e.seriesIndex) : ChartTheme.seriesClass(e.seriesIndex))
            }
            canvas.text(e.name, x: x + 22, y: row, class: "legend")
            x += width
        }
    }

    /// Rows the entries take at `maxWidth` (same wrapping as `draw`).
    func rows(maxWidth: Double) -> Int {
        var x = 0.0
        var rows = entries.isEmpty ? 0 : 1
        for e in entries {
            let width = 22 + Double(e.name.count) * 7 + 18
            if x + width > maxWidth, x > 0 {
                rows += 1
                x = 0
            }
            x += width
        }
        return rows
    }
}
