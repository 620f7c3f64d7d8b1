import Foundation
import GenoBenchCore
import GenoBenchData

/// Streams a delimited cell table (one row per cell) as coded `CellBlock`s.
///
/// Each buffer of complete lines is parsed by the context's threads (contiguous runs of lines,
/// numbers by `NumberParser`, per-cell log1p-CPM and gene-set scores), then coded in input
/// order by one thread (`CellCoder`: visits, arms, participants, cell types, filters). Memory
/// is one buffer (1 MiB of text: its parsed values stay in cache) and those values, whatever the file size. Errors name the
/// file, the line, the column and what was expected.
public final class CellTableReader {
    public private(set) var request: CellTableRequest
    let delimiter: UInt8
    let columns: CellColumns
    public private(set) var summary: CellReadSummary

    public var features: [String] { columns.features }
    public var valueColumns: [String] { columns.valueColumns }

    /// Opens the file and resolves the header (reads only the first lines).
    public init(_ request: CellTableRequest) throws {
        self.request = request
        delimiter = try CellTableRequest.delimiter(for: request.path)
        let source = try ByteSource(request)
        let lines = DelimitedLines(source: source, bufferBytes: request.contents == nil ? 1 << 20 : 1 << 12)  // in memory: small inputs (the buffer grows for long lines)
        let first: [DelimitedLines.Line]
        do {
            first = try lines.next(maxLines: 2)
            // A corrupt or truncated archive shows first as an empty or short file: report gzip's own message.
            if source.isGzip && first.count < 2 { try source.finish() }
        } catch {
            if source.isGzip { try source.finish() }
            throw error
        }
        guard let head = first.first else { throw DataError(file: request.path, "empty file: no header line") }
        let buffer = lines.buffer
        let header = try FieldSplitter.quotedFields(buffer + head.start, head.length, delimiter: delimiter, path: request.path, line: 1)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let data = first.count > 1
            ? try FieldSplitter.quotedFields(buffer + first[1].start, first[1].length, delimiter: delimiter, path: request.path, line: first[1].number)
            : nil
        guard data != nil else { throw DataError(file: request.path, "no data lines after the header") }
        columns = try CellColumns(header: header, firstData: data, request: request)
        summary = CellReadSummary(layout: TrialLayout(visits: request.visits, features: columns.features, covariates: request.covariates))
        summary.nonNumericColumns = columns.nonNumeric
        if !request.preprocessing.isIdentity { summary.geneColumns = columns.valueColumns }
    }

    /// Installs a resolved gene-set scorer (after `geneStatistics` for zmean).
    public func install(_ scorer: GeneSetScorer) { request.preprocessing.geneSets = scorer }

    /// Reads every cell once, handing kept cells to `sink` block by block, and fills `summary`.
    /// With `code: false` no row is coded or filtered: every cell goes to `sink` (pass one of
    /// gene-set z-scoring) with participant 0.
    public func stream(context: RunContext, code: Bool = true, _ sink: (CellBlock) throws -> Void) throws {
        let source = try ByteSource(request)
        let lines = DelimitedLines(source: source, bufferBytes: request.contents == nil ? 1 << 20 : 1 << 12)  // in memory: small inputs (the buffer grows for long lines)
        let parser = LineParser(columns: columns, delimiter: delimiter, path: request.path,
                                preprocessing: request.preprocessing, allValues: !code, covariates: request.covariates.count)
        var coder = CellCoder(request: request, layout: summary.layout)
        var skipHeader = true
        var dataLines = 0
        do {
            while true {
                var batch = try lines.next()
                if batch.isEmpty { break }
                if skipHeader { batch.removeFirst(); skipHeader = false }
                if batch.isEmpty { continue }
                dataLines += batch.count
                var parsed = try parser.parse(batch, buffer: lines.buffer, context: context)
                let block = code ? try coder.code(&parsed, buffer: lines.buffer) : parsed.uncodedBlock()
                if block.count > 0 { try sink(block) }
            }
        } catch {
            // A truncated archive shows first as a ragged last line: report gzip's own message.
            if source.isGzip { try source.finish() }
            throw error
        }
        try source.finish()
        summary.lines = dataLines
        summary.zeroLibraryCells = parser.zeroLibraryCount.value
        if code {
            try coder.finish(path: request.path)
            summary.layout = coder.layout
            summary.kept = coder.kept
            summary.droppedVisit = coder.droppedVisit
            summary.droppedCelltype = coder.droppedCelltype
            summary.droppedArm = coder.droppedArm
        }
    }

    /// Every kept cell in memory (for the cell backends).
    public func readTable(context: RunContext) throws -> CellTable {
        var table = CellTable(layout: summary.layout)
        try stream(context: context) { table.append($0) }
        table.layout = summary.layout
        return table
    }

    /// Streams into pseudobulk sums (memory independent of the number of cells).
    public func readSums(context: RunContext, byCelltype: Bool, countPositive: Bool = true) throws -> GroupSums {
        var sums = GroupSums(featureCount: columns.features.count, covariateCount: request.covariates.count, byCelltype: byCelltype,
                             countPositive: countPositive)
        try stream(context: context) { sums.add($0, context: context) }
        return sums
    }

    /// Pass one of zmean scoring: mean and SD of every gene column (after log1p-CPM) over all cells.
    public func geneStatistics(context: RunContext) throws -> (mean: [Double], sd: [Double]) {
        var stats = ColumnStatistics(columns: columns.valueColumns.count)
        try stream(context: context, code: false) { b in
            stats.add(b.values, rows: b.count, width: b.featureCount)
        }
        return (stats.mean, stats.sd)
    }
}
