import Foundation
import GenoBenchCore

/// What a pipeline run did, in gsMap3D's "Pipeline Summary" terms (spec §5.3).
///
/// - pipeline throughput = completed batches / elapsed (batches/s), × batch size (items/s);
/// - per stage: per-worker throughput = 1 / mean seconds per batch of that stage, and
///   total = per-worker × batch size × workers (items/s) — a capacity that assumes every
///   worker busy and counts a partial last batch as full;
/// - the bottleneck is the stage with the smallest total.
public struct PipelineSummary: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var name: String
        public var workers: Int
        public var batches: Int
        public var meanSecondsPerBatch: Double
        /// 1 / mean seconds per batch.
        public var perWorkerBatchesPerSecond: Double
        /// per-worker b/s × batch size × workers.
        public var totalItemsPerSecond: Double
    }

    public var batches: Int
    public var itemsPerBatch: Int
    /// Items actually processed (the last batch may be partial).
    public var totalItems: Int
    public var elapsedSeconds: Double
    public var stages: [Stage]
    public var maxComputeQueueLength: Int
    public var maxWriterQueueLength: Int
    public var computeQueueSize: Int
    public var writerQueueSize: Int

    init(settings: PipelineSettings, batches: Int, itemsPerBatch: Int, totalItems: Int, elapsedSeconds: Double, stageSeconds: [[Double]],
         maxComputeQueueLength: Int, maxWriterQueueLength: Int) {
        self.batches = batches
        self.totalItems = totalItems
        self.itemsPerBatch = itemsPerBatch
        self.elapsedSeconds = elapsedSeconds
        self.maxComputeQueueLength = maxComputeQueueLength
        self.maxWriterQueueLength = maxWriterQueueLength
        computeQueueSize = settings.computeQueueSize
        writerQueueSize = settings.writerQueueSize
        let workers = [settings.readers, settings.computers, settings.writers]
        stages = zip(["reader", "computer", "writer"], zip(workers, stageSeconds)).map { name, ws in
            Self.stage(name: name, workers: ws.0, seconds: ws.1, itemsPerBatch: itemsPerBatch)
        }
    }

    /// The arithmetic of one stage row from its per-batch seconds.
    public static func stage(name: String, workers: Int, seconds: [Double], itemsPerBatch: Int) -> Stage {
        let mean = seconds.isEmpty ? 0 : seconds.reduce(0, +) / Double(seconds.count)
        let perWorker = mean > 0 ? 1 / mean : .infinity
        return Stage(name: name, workers: workers, batches: seconds.count, meanSecondsPerBatch: mean,
                     perWorkerBatchesPerSecond: perWorker, totalItemsPerSecond: perWorker * Double(itemsPerBatch) * Double(workers))
    }

    /// Completed batches per second, end to end.
    public var batchesPerSecond: Double { Double(stages.last?.batches ?? 0) / elapsedSeconds }
    public var itemsPerSecond: Double { batchesPerSecond * Double(itemsPerBatch) }
    /// Items processed per second, end to end (partial batches counted as they are).
    public var actualItemsPerSecond: Double { Double(totalItems) / elapsedSeconds }
    /// The stage with the smallest total throughput.
    public var bottleneck: String { stages.min { $0.totalItemsPerSecond < $1.totalItemsPerSecond }?.name ?? "-" }

    /// The summary as a small table (what `genobench ldsc` prints to standard error).
    public func render(title: String, itemName: String) -> String {
        let unit = String(itemName.prefix(1))
        var out = "pipeline summary: \(title)\n"
        out += String(format: "  batches %d (%d %@s each), elapsed %.3f s, throughput %.2f batches/s (%.1f %@s/s; %d %@s done: %.1f %@s/s)\n",
                      batches, itemsPerBatch, itemName, elapsedSeconds, batchesPerSecond, itemsPerSecond, itemName,
                      totalItems, itemName, actualItemsPerSecond, itemName)
        out += "  stage     workers  per-worker b/s  total \(unit)/s\n"
        for s in stages {
            out += String(format: "  %@ %7d %15.2f %12.1f\n", s.name.padding(toLength: 8, withPad: " ", startingAt: 0),
                          s.workers, s.perWorkerBatchesPerSecond, s.totalItemsPerSecond)
        }
        out += "  bottleneck: \(bottleneck); largest queue lengths \(maxComputeQueueLength)/\(computeQueueSize) (reader→computer), \(maxWriterQueueLength)/\(writerQueueSize) (computer→writer)"
        return out
    }

    /// The summary as diagnostics entries (stored with the run).
    public func describe(into d: inout Diagnostics) {
        d.set("pipeline_batches", batches)
        d.set("pipeline_batch_size", itemsPerBatch)
        d.set("pipeline_elapsed_s", elapsedSeconds)
        d.set("pipeline_batches_per_s", batchesPerSecond)
        d.set("pipeline_items_per_s", itemsPerSecond)
        d.set("pipeline_items_done_per_s", actualItemsPerSecond)
        for s in stages {
            d.set("\(s.name)_workers", s.workers)
            d.set("\(s.name)_per_worker_batches_per_s", s.perWorkerBatchesPerSecond)
            d.set("\(s.name)_total_items_per_s", s.totalItemsPerSecond)
        }
        d.set("pipeline_bottleneck", bottleneck)
        d.set("max_compute_queue_length", maxComputeQueueLength)
        d.set("max_writer_queue_length", maxWriterQueueLength)
    }
}
