import GenoBenchData

/// Homogeneous neighbourhoods (spec §2.1 steps 2–3, computed elsewhere): one line per focal
/// spot, `SPOT NEIGHBOUR1 NEIGHBOUR2 …` by spot name, whitespace-separated; `#` starts a
/// comment line. The focal spot is normally among its own neighbours. A spot with no line has
/// no homogeneous set (its GSS is all zeros); a spot listed twice or an unknown name is an error.
public enum NeighbourhoodFile {
    public static func read(_ path: String, spots: [String]) throws -> [[Int]] {
        var index: [String: Int] = [:]
        for (i, s) in spots.enumerated() { index[s] = i }
        var sets = [[Int]?](repeating: nil, count: spots.count)
        let lines = try TextLines.open(path).makeIterator()
        while let line = try lines.nextLine() {
            if line.hasPrefix("#") { continue }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty { continue }
            guard let focal = index[String(f[0])] else {
                throw DataError(file: path, line: lines.lineNumber, "spot '\(f[0])' is not a spot of the expression matrix")
            }
            guard sets[focal] == nil else { throw DataError(file: path, line: lines.lineNumber, "spot \(f[0]) has a second neighbourhood line") }
            sets[focal] = try f.dropFirst().map { n in
                guard let i = index[String(n)] else {
                    throw DataError(file: path, line: lines.lineNumber, "neighbour '\(n)' of spot \(f[0]) is not a spot of the expression matrix")
                }
                return i
            }
        }
        return sets.map { $0 ?? [] }
    }
}
