import Foundation

/// What every chart says about itself: a title, the configuration it was
/// made with, the platform and the date, and (at the bottom) how it was made.
public struct ChartHeader: Sendable {
    public var title: String
    /// One line each: platform, configuration.
    public var subtitles: [String]
    public var date: Date
    /// Small print under the plot: the command, a source.
    public var footnotes: [String]

    public init(title: String, subtitles: [String], date: Date = Date(), footnotes: [String] = []) {
        self.title = title
        self.subtitles = subtitles
        self.date = date
        self.footnotes = footnotes
    }

    static let titleHeight = 30.0
    static let lineHeight = 17.0
    static let footnoteLineHeight = 14.0

    var height: Double { Self.titleHeight + Double(subtitles.count + 1) * Self.lineHeight + 6 }
    var footnoteHeight: Double { Double(footnotes.count) * Self.footnoteLineHeight + (footnotes.isEmpty ? 0 : 8) }

    /// UTC, to the minute: charts made on different machines compare.
    var dateText: String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: date)
    }

    func draw(on canvas: inout SVGCanvas, left: Double) {
        canvas.text(title, x: left, y: 26, class: "title")
        var y = Self.titleHeight + Self.lineHeight - 2
        for line in subtitles {
            canvas.text(line, x: left, y: y, class: "subtitle")
            y += Self.lineHeight
        }
        canvas.text("made \(dateText)", x: left, y: y, class: "subtitle")
    }

    func drawFootnotes(on canvas: inout SVGCanvas, left: Double, bottom: Double) {
        var y = bottom - footnoteHeight + Self.footnoteLineHeight
        for line in footnotes {
            canvas.text(line, x: left, y: y, class: "footnote")
            y += Self.footnoteLineHeight
        }
    }

    var description: String { ([title] + subtitles + ["made \(dateText)"]).joined(separator: "; ") }
}
