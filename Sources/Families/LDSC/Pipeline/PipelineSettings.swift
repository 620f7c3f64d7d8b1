/// The knobs of a reader → computer → writer pipeline (spec §5.3): workers per stage, the
/// bounds of the two queues between them, and the batch size.
public struct PipelineSettings: Sendable, Equatable {
    /// Reader workers (gsMap3D `rank_read_workers` / `ldsc_read_workers`).
    public var readers = 1
    /// Compute workers (`mkscore_compute_workers` / `ldsc_compute_workers`); 0 = the run's thread count.
    public var computers = 0
    /// Writer workers (`mkscore_write_workers`).
    public var writers = 1
    /// Bound of the reader → computer queue, in batches (gsMap3D: computers × `compute_input_queue_size`).
    public var computeQueueSize = 4
    /// Bound of the computer → writer queue, in batches (`writer_queue_size`).
    public var writerQueueSize = 16
    /// Items (spots or cells) per batch (`spots_per_chunk_quick_mode`, `mkscore_batch_size`).
    public var batchSize = 64

    public init() {}

    /// These settings with `computers = 0` replaced by `threads`.
    public func resolved(threads: Int) -> PipelineSettings {
        var s = self
        if s.computers == 0 { s.computers = Swift.max(1, threads) }
        return s
    }

    public init(readers: Int, computers: Int, writers: Int, computeQueueSize: Int, writerQueueSize: Int, batchSize: Int) {
        self.readers = readers
        self.computers = computers
        self.writers = writers
        self.computeQueueSize = computeQueueSize
        self.writerQueueSize = writerQueueSize
        self.batchSize = batchSize
    }

    /// Ranges as gsMap3D allows them (workers 1–50), queues and batches at least 1.
    public func validate() throws {
        for (name, v) in [("--readers", readers), ("--writers", writers)] where !(1...50).contains(v) {
            throw LDSCError.invalidOption("\(name) must be in 1...50, got \(v)")
        }
        guard (0...50).contains(computers) else { throw LDSCError.invalidOption("--computers must be in 0...50 (0: one per thread), got \(computers)") }
        for (name, v) in [("--compute-queue-size", computeQueueSize), ("--writer-queue-size", writerQueueSize), ("--batch-size", batchSize)] where v < 1 {
            throw LDSCError.invalidOption("\(name) must be at least 1, got \(v)")
        }
    }
}
