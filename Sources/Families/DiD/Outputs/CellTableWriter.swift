import Foundation
import GenoBenchData

/// Writes coded cells as a delimited cell table (what `genobench simulate did` produces):
/// `cell participant visit arm [celltype] [covariates] features…`, comma-separated for `.csv`,
/// tab-separated otherwise, gzip-compressed through `gzip -c` for a `.gz` name. Values must be
/// multiples of 10⁻⁴ (the simulator's): they are written with exactly 4 decimals by integer
/// arithmetic, so the text reads back to the identical Double; NaN is written `NA`.
public final class CellTableWriter {
    let path: String
    let delimiter: UInt8
    let layout: TrialLayout
    let withCelltype: Bool
    private let handle: FileHandle
    /// The file gets its name in `close()`; a writer dropped before leaves nothing.
    private let output: AtomicOutput
    private var process: Process?
    private var bytes: [UInt8] = []
    private var cell = 0

    public init(path: String, layout: TrialLayout, treatedLabel: String = "Treated", controlLabel: String = "Control") throws {
        self.path = path
        self.layout = layout
        withCelltype = !layout.celltypes.isEmpty
        var name = path.lowercased()
        let gzip = name.hasSuffix(".gz")
        if gzip { name.removeLast(3) }
        delimiter = name.hasSuffix(".csv") ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        output = AtomicOutput(path: path)
        guard FileManager.default.createFile(atPath: output.temporaryPath, contents: nil),
              let out = FileHandle(forWritingAtPath: output.temporaryPath) else {
            throw DataError(file: path, "cannot create the file")
        }
        arms = (treatedLabel, controlLabel)
        if gzip {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["gzip", "-c"]
            let pipe = Pipe()
            p.standardInput = pipe
            p.standardOutput = out
            do { try p.run() } catch { throw DataError(file: path, "cannot start gzip: \(error.localizedDescription)") }
            process = p
            handle = pipe.fileHandleForWriting
            sink = out
        } else {
            handle = out
        }
        var header = ["cell", "participant", "visit", "arm"]
        if withCelltype { header.append("celltype") }
        header += layout.covariates + layout.features
        bytes += Array(header.joined(separator: String(UnicodeScalar(delimiter))).utf8) + [0x0a]
    }

    private let arms: (String, String)
    private var sink: FileHandle?

    /// Appends a block's cells.
    public func write(_ block: CellBlock) throws {
        for r in 0..<block.count {
            cell += 1
            append("c\(cell)")
            bytes.append(delimiter)
            let i = Int(block.participant[r])
            append(layout.participants[i]); bytes.append(delimiter)
            append(layout.visits[Int(block.visit[r])]); bytes.append(delimiter)
            append(layout.treated[i] ? arms.0 : arms.1)
            if withCelltype { bytes.append(delimiter); append(layout.celltypes[Int(block.celltype[r])]) }
            for j in 0..<block.covariateCount { bytes.append(delimiter); number(block.covariates[r * block.covariateCount + j]) }
            for j in 0..<block.featureCount { bytes.append(delimiter); number(block.values[r * block.featureCount + j]) }
            bytes.append(0x0a)
            if bytes.count > 1 << 22 { try flush() }
        }
    }

    private func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// x with 4 decimals (x a multiple of 1e-4 up to rounding), `NA` for NaN.
    private func number(_ x: Double) {
        guard !x.isNaN else { bytes += [0x4e, 0x41]; return }
        var m = Int64((x * 10_000).rounded())
        if m < 0 { bytes.append(0x2d); m = -m }
        let whole = m / 10_000, frac = Int(m % 10_000)
        append(String(whole))
        bytes.append(0x2e)
        bytes.append(UInt8(48 + frac / 1000)); bytes.append(UInt8(48 + frac / 100 % 10))
        bytes.append(UInt8(48 + frac / 10 % 10)); bytes.append(UInt8(48 + frac % 10))
    }

    private func flush() throws {
        do { try handle.write(contentsOf: bytes) } catch { throw DataError(file: path, "cannot write: \(error.localizedDescription)") }
        bytes.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes (waits for gzip).
    public func close() throws {
        try flush()
        try handle.close()
        if let p = process {
            p.waitUntilExit()
            try sink?.close()
            guard p.terminationStatus == 0 else { throw DataError(file: path, "gzip failed with exit status \(p.terminationStatus)") }
        }
        try output.commit()
    }
}
