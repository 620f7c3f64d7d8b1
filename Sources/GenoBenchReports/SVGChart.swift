import GenoBenchCore

/// A small SVG line/scatter chart with optional log axes, drawn as XML text (no scripts, no
/// external resources), so the HTML page stays self-contained and parses as XML.
public struct SVGChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Points drawn as red rings (regressions).
        public var marked: [Int] = []
        public var connect = true
        public init(name: String, points: [(x: Double, y: Double)], connect: Bool = true) {
            self.name = name
            self.points = points
            self.connect = connect
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = true
    public var logY = true
    public var series: [Series] = []
    public var width = 860.0
    public var height = 380.0
    /// A horizontal reference line (e.g. tolerance = 1), drawn dashed.
    public var guideY: Double?

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public func render() -> String {
        let left = 70.0, right = 300.0, top = 30.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = series.flatMap(\.points).filter { (!logX || $0.x > 0) && (!logY || $0.y > 0) && $0.x.isFinite && $0.y.isFinite }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">\n"
        out += "<title>\(XML.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(n(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(XML.escape(title))</text>\n"
        guard !all.isEmpty else {
            return out + "<text x=\"\(n(left))\" y=\"\(n(top + plotH / 2))\" font-size=\"12\">no data</text>\n</svg>\n"
        }
        func t(_ v: Double, _ log: Bool) -> Double { log ? Double.log10(v) : v }
        var (x0, x1) = padded(all.map { t($0.x, logX) }.min()!, all.map { t($0.x, logX) }.max()!, log: logX)
        var (y0, y1) = padded(all.map { t($0.y, logY) }.min()!, all.map { t($0.y, logY) }.max()!, log: logY)
        if let g = guideY, !logY || g > 0 { y0 = min(y0, t(g, logY)); y1 = max(y1, t(g, logY)) }
        if x1 <= x0 { x0 -= 0.5; x1 += 0.5 }
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        func px(_ v: Double) -> Double { left + (t(v, logX) - x0) / (x1 - x0) * plotW }
        func py(_ v: Double) -> Double { top + plotH - (t(v, logY) - y0) / (y1 - y0) * plotH }
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"none\" stroke=\"#333333\"/>\n"
        for (value, isX) in ticks(x0, x1, log: logX).map({ ($0, true) }) + ticks(y0, y1, log: logY).map({ ($0, false) }) {
            if isX {
                let x = left + (value - x0) / (x1 - x0) * plotW
                out += "<line x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(top + plotH))\" stroke=\"#e0e0e0\"/>\n"
                out += "<text x=\"\(n(x))\" y=\"\(n(top + plotH + 16))\" font-size=\"11\" text-anchor=\"middle\">\(label(value, logX))</text>\n"
            } else {
                let y = top + plotH - (value - y0) / (y1 - y0) * plotH
                out += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y))\" stroke=\"#e0e0e0\"/>\n"
                out += "<text x=\"\(n(left - 6))\" y=\"\(n(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(label(value, logY))</text>\n"
            }
        }
        if let g = guideY, !logY || g > 0 {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(g)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(py(g)))\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>\n"
        }
        out += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 10))\" font-size=\"12\" text-anchor=\"middle\">\(XML.escape(xLabel))</text>\n"
        out += "<text x=\"16\" y=\"\(n(top + plotH / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(n(top + plotH / 2)))\">\(XML.escape(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let pts = s.points.enumerated().filter { (!logX || $0.element.x > 0) && (!logY || $0.element.y > 0) && $0.element.x.isFinite && $0.element.y.isFinite }
            if s.connect && pts.count > 1 {
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"" + pts.map { "\(n(px($0.element.x))),\(n(py($0.element.y)))" }.joined(separator: " ") + "\"/>\n"
            }
            for p in pts {
                out += "<circle cx=\"\(n(px(p.element.x)))\" cy=\"\(n(py(p.element.y)))\" r=\"3\" fill=\"\(color)\"><title>\(XML.escape(s.name)): \(Format.significant(p.element.x, 3)), \(Format.significant(p.element.y, 3))</title></circle>\n"
                if s.marked.contains(p.offset) {
                    out += "<circle cx=\"\(n(px(p.element.x)))\" cy=\"\(n(py(p.element.y)))\" r=\"7\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
                }
            }
            let ly = top + 8 + Double(i) * 16
            if ly < height - bottom {
                out += "<rect x=\"\(n(left + plotW + 12))\" y=\"\(n(ly - 8))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>\n"
                out += "<text x=\"\(n(left + plotW + 28))\" y=\"\(n(ly + 1))\" font-size=\"11\">\(XML.escape(s.name.count > 44 ? String(s.name.prefix(43)) + "…" : s.name))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    func padded(_ lo: Double, _ hi: Double, log: Bool) -> (Double, Double) {
        let span = hi - lo
        let pad = span > 0 ? span * 0.05 : (log ? 0.5 : max(abs(lo) * 0.1, 0.5))
        return (lo - pad, hi + pad)
    }

    /// Tick positions (in transformed units): decades on a log axis, about 5 round steps otherwise.
    func ticks(_ lo: Double, _ hi: Double, log: Bool) -> [Double] {
        if log {
            let a = Int(lo.rounded(.up)), b = Int(hi.rounded(.down))
            if b >= a { return (a...b).map(Double.init) }
            return [(lo + hi) / 2]
        }
        let raw = (hi - lo) / 5
        let mag = Double.pow(10, Double.log10(raw).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var v = (lo / step).rounded(.up) * step, out: [Double] = []
        while v <= hi && out.count < 20 { out.append(v); v += step }
        return out
    }

    func label(_ v: Double, _ log: Bool) -> String {
        log ? Format.significant(Double.pow(10, v), 2) : Format.significant(v, 3)
    }

    func n(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// XML text escaping for element content and attribute values.
public enum XML {
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
