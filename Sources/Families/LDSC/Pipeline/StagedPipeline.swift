import Foundation

/// A failure inside a pipeline stage: which stage, which batch, and the original error.
public struct PipelineError: Error, CustomStringConvertible {
    public let stage: String
    public let batch: Int
    public let underlying: any Error
    public var description: String { "\(stage) failed on batch \(batch): \(underlying)" }
}

/// A three-stage pipeline over numbered batches (spec §5.3): readers take batch indices from
/// a shared cursor (all batches requested up front), computers take loaded batches from a
/// bounded queue, writers take computed batches from a second bounded queue. Full queues
/// block their producers (back-pressure), so at most `computeQueueSize + writerQueueSize`
/// batches plus one per worker are in flight, whatever the batch count.
///
/// The first error in any stage stops every worker and is rethrown as a `PipelineError`
/// naming the stage and batch. Each stage's seconds per batch are recorded for the summary.
/// Output order is the writer's business: batches may complete in any order.
public struct StagedPipeline: Sendable {
    public var settings: PipelineSettings

    public init(settings: PipelineSettings) { self.settings = settings }

    public func run<Loaded, Computed>(
        batches: Int, itemsPerBatch: Int, totalItems: Int? = nil,
        read: @escaping @Sendable (Int) throws -> Loaded,
        compute: @escaping @Sendable (Int, Loaded) throws -> Computed,
        write: @escaping @Sendable (Int, Computed) throws -> Void
    ) throws -> PipelineSummary {
        let toCompute = BoundedQueue<Box<Loaded>>(capacity: settings.computeQueueSize, producers: settings.readers)
        let toWrite = BoundedQueue<Box<Computed>>(capacity: settings.writerQueueSize, producers: settings.computers)
        let state = RunState(batches: batches)
        let stop: @Sendable () -> Void = { toCompute.cancel(); toWrite.cancel() }
        let group = DispatchGroup()
        func spawn(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            let t = Thread { body(); group.leave() }
            t.stackSize = 1 << 23
            t.start()
        }
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<settings.readers {
            spawn {
                while let i = state.nextBatch() {
                    let t0 = clock.now
                    do {
                        let loaded = try read(i)
                        state.record(.reader, clock.now - t0)
                        if !toCompute.put(Box(index: i, value: loaded)) { break }
                    } catch {
                        state.fail(PipelineError(stage: "reader", batch: i, underlying: error)); stop(); break
                    }
                }
                toCompute.producerFinished()
            }
        }
        for _ in 0..<settings.computers {
            spawn {
                while let item = toCompute.take() {
                    let t0 = clock.now
                    do {
                        let computed = try compute(item.index, item.value)
                        state.record(.computer, clock.now - t0)
                        if !toWrite.put(Box(index: item.index, value: computed)) { break }
                    } catch {
                        state.fail(PipelineError(stage: "computer", batch: item.index, underlying: error)); stop(); break
                    }
                }
                toWrite.producerFinished()
            }
        }
        for _ in 0..<settings.writers {
            spawn {
                while let item = toWrite.take() {
                    let t0 = clock.now
                    do {
                        try write(item.index, item.value)
                        state.record(.writer, clock.now - t0)
                    } catch {
                        state.fail(PipelineError(stage: "writer", batch: item.index, underlying: error)); stop(); break
                    }
                }
            }
        }
        group.wait()
        let elapsed = clock.now - started
        if let e = state.failure { throw e }
        return PipelineSummary(settings: settings, batches: batches, itemsPerBatch: itemsPerBatch, totalItems: totalItems ?? batches * itemsPerBatch,
                               elapsedSeconds: elapsed.seconds, stageSeconds: state.stageSeconds,
                               maxComputeQueueLength: toCompute.maxLength, maxWriterQueueLength: toWrite.maxLength)
    }
}

struct Box<T>: @unchecked Sendable {
    let index: Int
    let value: T
}

/// Shared cursor, per-stage timings and the first failure, behind one lock.
final class RunState: @unchecked Sendable {
    enum Stage: Int { case reader, computer, writer }
    private let lock = NSLock()
    private var next = 0
    private let batches: Int
    private(set) var stageSeconds: [[Double]] = [[], [], []]
    private(set) var failure: PipelineError?

    init(batches: Int) { self.batches = batches }

    func nextBatch() -> Int? {
        lock.lock(); defer { lock.unlock() }
        if failure != nil || next >= batches { return nil }
        next += 1
        return next - 1
    }

    func record(_ stage: Stage, _ d: Duration) {
        lock.lock(); defer { lock.unlock() }
        stageSeconds[stage.rawValue].append(d.seconds)
    }

    func fail(_ e: PipelineError) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = e }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
