import Foundation
import GenoBenchCore

/// A backend's answer: one estimate per analysed spot, in spot order, and how the pipeline ran.
public struct LDSCSolution: Sendable {
    /// Absolute spot indices analysed (the `--spot-range`).
    public var spots: Range<Int>
    public var spotNames: [String]
    public var estimates: [SpotEstimate]
    public var precision: Precision
    public var pipeline: PipelineSummary?

    public init(spots: Range<Int>, spotNames: [String], estimates: [SpotEstimate], precision: Precision, pipeline: PipelineSummary?) {
        self.spots = spots
        self.spotNames = spotNames
        self.estimates = estimates
        self.precision = precision
        self.pipeline = pipeline
    }

    public var singularCount: Int { estimates.filter { $0.status == .singular }.count }
}

/// Batch results filled by the writer stage, each batch by exactly one writer.
final class BatchSlots<R>: @unchecked Sendable {
    private var slots: [R?]
    private let lock = NSLock()
    init(count: Int) { slots = [R?](repeating: nil, count: count) }
    func store(_ value: R, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }
    func values() -> [R] { slots.map { $0! } }
}

/// The reader → computer → writer run shared by both LDSC backends (spec §9): readers slice
/// the batch's GSS rows out of the problem and convert them to T (spot-major, genes × spots of
/// the batch only, so memory grows with the batch size, not the spot count), computers run the
/// backend's kernel on the batch, the writer stores the batch's estimates.
enum LDSCPipelineRun {
    typealias Kernel<T: Scalar> = @Sendable (_ batch: LDSCBatch<T>) -> [SpotEstimate]

    static func run<T: Scalar>(_ problem: LDSCProblem, context: RunContext, kernel: @escaping Kernel<T>) throws -> (LDSCSolution, Diagnostics) {
        let prepared = PreparedRegression(problem)
        let rows = DesignRows<T>(problem: problem, prepared: prepared)
        let settings = problem.options.pipeline.resolved(threads: context.threads)
        let spots = problem.spots
        let size = settings.batchSize
        let batches = (spots.count + size - 1) / size
        let slots = BatchSlots<[SpotEstimate]>(count: batches)
        let annotation = problem.annotation
        let genes = annotation.geneCount
        let summary: PipelineSummary
        do {
            summary = try StagedPipeline(settings: settings).run(
            batches: batches, itemsPerBatch: size, totalItems: spots.count,
            read: { b in
                try context.checkCancellation("spot batch \(b) (reader)")
                let lo = spots.lowerBound + b * size, hi = Swift.min(lo + size, spots.upperBound)
                var gss = [T](repeating: 0, count: (hi - lo) * genes)
                var h = [Double](repeating: 0, count: hi - lo)
                annotation.gss.withUnsafeBufferPointer { p in
                    for s in lo..<hi {
                        let row = UnsafeBufferPointer(rebasing: p[(s * genes)..<((s + 1) * genes)])
                        for g in 0..<genes { gss[(s - lo) * genes + g] = T(row[g]) }
                        h[s - lo] = prepared.weightHeritability(gss: row)
                    }
                }
                return LDSCBatch(spots: lo..<hi, gss: gss, heritability: h, rows: rows, prepared: prepared)
            },
            compute: { b, batch in
                try context.checkCancellation("spot batch \(b)")
                return kernel(batch)
            },
            write: { b, estimates in slots.store(estimates, at: b) })
        } catch let e as PipelineError where e.underlying is RunCancelled {
            throw e.underlying  // the time limit, not a failed stage
        }
        let estimates = slots.values().flatMap { $0 }
        let solution = LDSCSolution(spots: spots, spotNames: Array(annotation.spotNames[spots]), estimates: estimates,
                                    precision: T.precision, pipeline: summary)
        var d = Diagnostics()
        d.set("snps_used", prepared.snpCount)
        d.set("n_blocks", prepared.blocks.blockCount)
        d.set("block_definition", problem.options.blockDefinition.rawValue)
        d.set("spatial_scaling", problem.options.spatialScaling.rawValue)
        d.set("baseline_columns", prepared.baselineCount)
        d.set("genes", genes)
        d.set("spots", spots.count)
        d.set("singular_spots", solution.singularCount)
        d.set("exact_rank_tests", estimates.filter(\.exactRankTest).count)
        summary.describe(into: &d)
        return (solution, d)
    }
}

/// One batch as the compute stage sees it.
struct LDSCBatch<T: Scalar>: @unchecked Sendable {
    let spots: Range<Int>
    /// Spot-major GSS of the batch in T.
    let gss: [T]
    /// ĥ² of the weight step per spot (Double, from the Double GSS).
    let heritability: [Double]
    let rows: DesignRows<T>
    let prepared: PreparedRegression
}
