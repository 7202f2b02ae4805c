/// Colours and type for every chart. The background is drawn by the chart
/// itself (light by default), so a chart stays readable in a dark viewer that
/// ignores the style sheet; viewers that honour `prefers-color-scheme` get a
/// dark version. Series colours are the Okabe–Ito palette (distinguishable
/// with the common colour-vision deficiencies), legible on both backgrounds.
enum ChartTheme {
    static let seriesColors = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C8C8C", "#F0E442"]

    static var styleSheet: String {
        var css = """
            .background{fill:#ffffff}
            text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;fill:#1b1b1f}
            .title{font-size:17px;font-weight:bold}
            .subtitle{font-size:12px;fill:#44464f}
            .footnote{font-size:10.5px;fill:#5c5f6a}
            .tick{font-size:11px;fill:#44464f}
            .axis-label{font-size:12px;fill:#2c2e35}
            .category{font-size:12px}
            .value{font-size:11px;font-weight:bold;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round;paint-order:stroke}
            .highlight{fill:#009E73;fill-opacity:0.1;stroke:#009E73;stroke-width:1}
            .legend{font-size:12px}
            .axis{stroke:#55585f;stroke-width:1}
            .grid{stroke:#dfe1e6;stroke-width:1}
            .reference{stroke:#b3261e;stroke-width:1.5;stroke-dasharray:6 4}
            .reference-label{font-size:11px;fill:#b3261e;font-weight:bold}
            .event{stroke:#7a2fb8;stroke-width:2;stroke-dasharray:4 3}
            .event-label{font-size:11px;fill:#7a2fb8;font-weight:bold}
            .line{fill:none;stroke-width:2}
            .hatch{stroke-width:1.5}
            """
        for (i, color) in seriesColors.enumerated() {
            css += "\n.s\(i){fill:\(color);stroke:\(color)}"
            css += "\n.o\(i){fill:none;stroke:\(color);stroke-width:2}"
        }
        css += """

            @media (prefers-color-scheme: dark){
            .background{fill:#17181c}
            .value{stroke:#17181c}
            .highlight{fill-opacity:0.2}
            text{fill:#e6e6ea}
            .subtitle,.tick{fill:#b9bbc4}
            .footnote{fill:#9a9da8}
            .axis-label{fill:#d2d4db}
            .axis{stroke:#a0a3ad}
            .grid{stroke:#34363d}
            .reference{stroke:#ff8a80}
            .reference-label{fill:#ff8a80}
            .event{stroke:#d0a3ff}
            .event-label{fill:#d0a3ff}
            }
            """
        return css
    }

    static func seriesClass(_ index: Int) -> String { "s\(index % seriesColors.count)" }
    static func outlineClass(_ index: Int) -> String { "o\(index % seriesColors.count)" }
}
