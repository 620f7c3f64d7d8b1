import GenoBenchData

/// Codes parsed rows in input order: visit label → 0/1 (other visits dropped), cell-type
/// filter, arm label → treated/control (a third arm rejected unless `--control` chooses),
/// participant → index in first-seen order with its arm checked constant.
struct CellCoder {
    let request: CellTableRequest
    var layout: TrialLayout
    private var participantIndex: [String: Int32] = [:]
    private var celltypeIndex: [String: Int32] = [:]
    private var lastParticipant: [UInt8] = []
    private var lastIndex: Int32 = -1
    private let visitBytes: [[UInt8]]
    private let treatedBytes: [UInt8]
    private let controlBytes: [UInt8]?
    private let celltypeBytes: [UInt8]?
    private var visitLabels: [String] = []
    private var armLabels: [String] = []
    private var celltypeLabels: [String] = []
    private var otherArm: [UInt8]?
    private var otherArmLine = 0
    private var sawVisit = [false, false]
    private var sawTreated = false
    private var sawCelltype = false
    private(set) var kept = 0
    private(set) var droppedVisit = 0
    private(set) var droppedCelltype = 0
    private(set) var droppedArm = 0

    init(request: CellTableRequest, layout: TrialLayout) {
        self.request = request
        self.layout = layout
        visitBytes = request.visits.map { Array($0.utf8) }
        treatedBytes = Array(request.treatedLabel.utf8)
        controlBytes = request.controlLabel.map { Array($0.utf8) }
        celltypeBytes = request.celltype.map { Array($0.utf8) }
    }

    private static func note(_ label: String, in list: inout [String]) {
        if list.count < 50 && !list.contains(label) { list.append(label) }
    }

    mutating func code(_ parsed: inout ParsedLines, buffer: UnsafeMutablePointer<UInt8>) throws -> CellBlock {
        var block = CellBlock(featureCount: parsed.featureCount, covariateCount: parsed.covariateCount)
        var keep: [Int] = []
        keep.reserveCapacity(parsed.count)
        for r in 0..<parsed.count {
            let line = parsed.lineNumbers[r]
            let quoted = parsed.quotedKeys[r]
            func key(_ slot: Int) -> [UInt8] {
                if let q = quoted { return Array(q[slot].utf8) }
                let start = Int(parsed.keys[r * 8 + slot * 2]), length = Int(parsed.keys[r * 8 + slot * 2 + 1])
                return start < 0 ? [] : Array(UnsafeBufferPointer(start: buffer + start, count: length))
            }
            let visitKey = key(1)
            guard let visit = visitBytes.firstIndex(of: visitKey) else {
                Self.note(String(decoding: visitKey, as: UTF8.self), in: &visitLabels)
                droppedVisit += 1
                continue
            }
            sawVisit[visit] = true
            var celltype: Int32 = 0
            if request.celltype != nil || request.byCelltype {
                let ct = key(3)
                let label = String(decoding: ct, as: UTF8.self)
                Self.note(label, in: &celltypeLabels)
                if let wanted = celltypeBytes, ct != wanted { droppedCelltype += 1; continue }
                sawCelltype = true
                if request.byCelltype {
                    if let i = celltypeIndex[label] { celltype = i } else {
                        celltype = Int32(layout.celltypes.count)
                        celltypeIndex[label] = celltype
                        layout.celltypes.append(label)
                    }
                }
            }
            let arm = key(2)
            let treated = arm == treatedBytes
            if treated { sawTreated = true } else {
                Self.note(String(decoding: arm, as: UTF8.self), in: &armLabels)
                if let control = controlBytes {
                    guard arm == control else { droppedArm += 1; continue }
                } else if let other = otherArm, other != arm {
                    if !sawTreated {
                        throw DataError(file: request.path, line: line,
                                        "the treated label '\(request.treatedLabel)' does not occur in column '\(request.armColumn)' up to this line, which has '\(String(decoding: other, as: UTF8.self))' and '\(String(decoding: arm, as: UTF8.self))': check --treated (or give --control LABEL to choose the control arm)")
                    }
                    throw DataError(file: request.path, line: line,
                                    "column '\(request.armColumn)' has a third arm label '\(String(decoding: arm, as: UTF8.self))' besides '\(request.treatedLabel)' (treated) and '\(String(decoding: other, as: UTF8.self))' (line \(otherArmLine)): give --control LABEL to choose the control arm (cells of other arms are then dropped)")
                } else if otherArm == nil {
                    otherArm = arm
                    otherArmLine = line
                }
            }
            let pkey = key(0)
            let index: Int32
            if pkey == lastParticipant && lastIndex >= 0 { index = lastIndex } else {
                let name = String(decoding: pkey, as: UTF8.self)
                if let i = participantIndex[name] { index = i } else {
                    index = Int32(layout.participants.count)
                    participantIndex[name] = index
                    layout.participants.append(name)
                    layout.treated.append(treated)
                }
                lastParticipant = pkey
                lastIndex = index
            }
            if layout.treated[Int(index)] != treated {
                throw DataError(file: request.path, line: line,
                                "participant '\(layout.participants[Int(index)])' is in arm '\(String(decoding: arm, as: UTF8.self))' here but in the \(treated ? "control" : "treated") arm on an earlier line: a participant's arm must not change")
            }
            block.participant.append(index)
            block.visit.append(UInt8(visit))
            block.celltype.append(celltype)
            keep.append(r)
        }
        kept += keep.count
        if keep.count == parsed.count {
            block.values = parsed.values
            block.covariates = parsed.covariates
        } else {
            let f = parsed.featureCount, k = parsed.covariateCount
            block.values.reserveCapacity(keep.count * f)
            for r in keep {
                block.values.append(contentsOf: parsed.values[(r * f)..<((r + 1) * f)])
                block.covariates.append(contentsOf: parsed.covariates[(r * k)..<((r + 1) * k)])
            }
        }
        return block
    }

    /// Checks that every requested label occurred, naming the labels that did.
    func finish(path: String) throws {
        let visitColumn = request.visitColumn
        for (i, seen) in sawVisit.enumerated() where !seen {
            let present = (request.visits.filter { l in sawVisit[request.visits.firstIndex(of: l)!] } + visitLabels)
            throw DataError(file: path, "visit '\(request.visits[i])' does not occur in column '\(visitColumn)'; labels present: \(present.joined(separator: ", "))")
        }
        if let wanted = request.celltype, !sawCelltype {
            throw DataError(file: path, "cell type '\(wanted)' does not occur in column '\(request.celltypeColumn ?? "")' at the chosen visits; labels present: \(celltypeLabels.joined(separator: ", "))")
        }
        if !sawTreated {
            throw DataError(file: path, "the treated label '\(request.treatedLabel)' does not occur in column '\(request.armColumn)' among the kept cells; labels present: \(armLabels.joined(separator: ", "))")
        }
    }
}
