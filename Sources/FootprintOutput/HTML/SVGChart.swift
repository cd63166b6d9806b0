/// Small, dependency-free SVG charts for the quarterly review: every chart has a title,
/// axis labels with units, and a legend, and renders the same offline as online.
public enum SVGChart {
    public struct Series {
        public let name: String
        public let values: [Double?]
        public init(name: String, values: [Double?]) { self.name = name; self.values = values }
    }

    static let palette = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#4b5563"]

    /// Grouped vertical bars: one group per category, one bar per series.
    public static func groupedBars(title: String, categories: [String], series: [Series], yLabel: String,
                                   xLabel: String, format: (Double) -> String) -> String {
        let width = 760.0, height = 352.0, left = 64.0, right = 16.0, top = 40.0, bottom = 82.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxValue = max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 0.0001)
        let scaleMax = niceCeiling(maxValue)
        var svg = header(width: width, height: height, title: title)
        svg += axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, scaleMax: scaleMax, yLabel: yLabel, format: format)
        let groupWidth = plotWidth / Double(max(categories.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (c, category) in categories.enumerated() {
            let groupLeft = left + Double(c) * groupWidth + groupWidth * 0.1
            for (s, serie) in series.enumerated() {
                guard c < serie.values.count, let value = serie.values[c] else { continue }
                let barHeight = value / scaleMax * plotHeight
                let x = groupLeft + Double(s) * barWidth
                svg += "<rect x=\"\(f(x))\" y=\"\(f(top + plotHeight - barHeight))\" width=\"\(f(barWidth - 1))\" height=\"\(f(barHeight))\" fill=\"\(palette[s % palette.count])\"><title>\(escape(serie.name)) · \(escape(category)): \(escape(format(value)))</title></rect>"
            }
            svg += "<text x=\"\(f(groupLeft + groupWidth * 0.4))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" class=\"tick\">\(escape(category))</text>"
        }
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 34))\" text-anchor=\"middle\" class=\"axis\">\(escape(xLabel))</text>"
        svg += legend(series.map(\.name), x: left, y: height - 12)
        return svg + "</svg>"
    }

    /// Lines over ordered x labels (months); a nil value leaves a gap.
    public static func lines(title: String, xLabels: [String], series: [Series], yLabel: String, xLabel: String,
                             yMax: Double? = nil, format: (Double) -> String) -> String {
        let width = 760.0, height = 320.0, left = 64.0, right = 24.0, top = 40.0, bottom = 78.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxValue = yMax ?? niceCeiling(max(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 0.0001))
        var svg = header(width: width, height: height, title: title)
        svg += axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, scaleMax: maxValue, yLabel: yLabel, format: format)
        let step = xLabels.count > 1 ? plotWidth / Double(xLabels.count - 1) : 0
        func x(_ i: Int) -> Double { xLabels.count > 1 ? left + Double(i) * step : left + plotWidth / 2 }
        for (i, label) in xLabels.enumerated() {
            svg += "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" class=\"tick\">\(escape(label))</text>"
        }
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 34))\" text-anchor=\"middle\" class=\"axis\">\(escape(xLabel))</text>"
        for (s, serie) in series.enumerated() {
            let color = palette[s % palette.count]
            var path = ""
            for (i, value) in serie.values.enumerated() {
                guard let value else { path += " "; continue }
                let point = "\(f(x(i))),\(f(top + plotHeight - value / maxValue * plotHeight))"
                path += (path.isEmpty || path.hasSuffix(" ")) ? "M\(point)" : " L\(point)"
                svg += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(top + plotHeight - value / maxValue * plotHeight))\" r=\"3.5\" fill=\"\(color)\"><title>\(escape(serie.name)) · \(escape(xLabels[i])): \(escape(format(value)))</title></circle>"
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        }
        svg += legend(series.map(\.name), x: left, y: height - 14)
        return svg + "</svg>"
    }

    private static func header(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
            + "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" class=\"title\">\(escape(title))</text>"
    }

    private static func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double, scaleMax: Double,
                             yLabel: String, format: (Double) -> String) -> String {
        var svg = ""
        for tick in 0...4 {
            let value = scaleMax * Double(tick) / 4
            let y = top + plotHeight - Double(tick) / 4 * plotHeight
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(format(value)))</text>"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" class=\"axisline\"/>"
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight))\" class=\"axisline\"/>"
        svg += "<text transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">\(escape(yLabel))</text>"
        return svg
    }

    private static func legend(_ names: [String], x: Double, y: Double) -> String {
        var svg = ""
        var cursor = x
        for (i, name) in names.enumerated() {
            svg += "<rect x=\"\(f(cursor))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"\(palette[i % palette.count])\"/>"
            svg += "<text x=\"\(f(cursor + 16))\" y=\"\(f(y))\" class=\"legend\">\(escape(name))</text>"
            cursor += 28 + Double(name.count) * 7.5
        }
        return svg
    }

    /// A round top for the value axis whose quarters are round too: 0.26 → 0.4
    /// (ticks 0.1 apart), 0.37 → 0.4, 7 → 8, 1234 → 2000.
    static func niceCeiling(_ value: Double) -> Double {
        let quarter = value / 4
        var magnitude = 1.0
        while magnitude * 10 <= quarter { magnitude *= 10 }
        while magnitude > quarter { magnitude /= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= quarter { return step * magnitude * 4 }
        return value
    }

    static func f(_ value: Double) -> String { CSVEncoder.decimal(value, places: 1) }
}
