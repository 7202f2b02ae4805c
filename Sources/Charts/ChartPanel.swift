/// A chart that can stand alone as an SVG document or be one panel of a figure.
public protocol ChartPanel: Sendable {
    var header: ChartHeader { get }
    var width: Int { get }
    var height: Int { get }
    /// Draws in canvas coordinates (0, 0)…(width, height); no background.
    func draw(on canvas: inout SVGCanvas)
}

extension ChartPanel {
    /// The chart as one SVG document.
    public func svg() -> String { Figure(panels: [self]).svg() }
}

/// Panels stacked top to bottom in one SVG document (a run's latency
/// distribution above its timeline).
public struct Figure: Sendable {
    public var panels: [any ChartPanel]
    public init(panels: [any ChartPanel]) { self.panels = panels }

    public func svg() -> String {
        let width = panels.map(\.width).max() ?? 0
        var c = SVGCanvas(width: width, height: panels.map(\.height).reduce(0, +))
        var top = 0
        for (i, panel) in panels.enumerated() {
            c.group([("class", "panel"), ("data-panel", String(i)), ("transform", "translate(0,\(top))")]) { panel.draw(on: &$0) }
            top += panel.height
        }
        let title = panels.map(\.header.title).joined(separator: " / ")
        return c.document(title: title, description: panels.map(\.header.description).joined(separator: " / "))
    }
}
