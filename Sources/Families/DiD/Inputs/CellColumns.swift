import GenoBenchData

/// The header of a cell table resolved against a request: which field plays which role.
struct CellColumns {
    enum Role: Equatable {
        case ignore, participant, visit, arm, celltype
        /// A numeric column parsed into slot j of the per-cell value vector.
        case value(Int)
        case covariate(Int)
    }

    let header: [String]
    var roles: [Role]
    /// Names of the parsed numeric columns, in slot order.
    var valueColumns: [String]
    /// The analysed features (value columns, or gene-set names).
    var features: [String]
    /// For log1p-CPM without gene sets: the value slot of each feature.
    var featureSlot: [Int]
    var nonNumeric: [String] = []

    /// Resolves the request's columns. `firstData` (the first data line's fields, if any)
    /// decides which unnamed-by-request columns are numeric.
    init(header: [String], firstData: [String]?, request: CellTableRequest) throws {
        self.header = header
        let path = request.path
        var position: [String: Int] = [:]
        for (i, name) in header.enumerated() where !name.isEmpty {
            if let j = position[name] {
                throw DataError(file: path, line: 1, "the header names column '\(name)' twice (fields \(j + 1) and \(i + 1))")
            }
            position[name] = i
        }
        func shown() -> String {
            let named = header.filter { !$0.isEmpty }
            return named.prefix(20).joined(separator: ", ") + (named.count > 20 ? ", … (\(named.count) in all)" : "")
        }
        func column(_ name: String, for option: String) throws -> Int {
            guard let i = position[name] else {
                throw DataError(file: path, line: 1, "no column '\(name)' (\(option)); the columns are: \(shown())")
            }
            return i
        }
        var r = [Role](repeating: .ignore, count: header.count)
        var nonNumericNames: [String] = []
        var design: Set<Int> = []
        for (name, option, role) in [(request.participantColumn, "--participant", Role.participant), (request.visitColumn, "--visit", .visit),
                                     (request.armColumn, "--arm", .arm)] {
            let i = try column(name, for: option)
            guard r[i] == .ignore else { throw DiDError.invalidOption("\(option) names column '\(name)', which already has another role") }
            r[i] = role
            design.insert(i)
        }
        if request.celltype != nil || request.byCelltype {
            guard let name = request.celltypeColumn else {
                throw DiDError.invalidOption("a cell-type filter or participant_visit_celltype needs --celltype-col")
            }
            let i = try column(name, for: "--celltype-col")
            guard r[i] == .ignore else { throw DiDError.invalidOption("--celltype-col names column '\(name)', which already has another role") }
            r[i] = .celltype
        }
        if let name = request.celltypeColumn, let i = position[name] { design.insert(i) }
        for (j, name) in request.covariates.enumerated() {
            let i = try column(name, for: "--covariates")
            guard r[i] == .ignore else { throw DiDError.invalidOption("covariate '\(name)' is also a design column or listed twice") }
            r[i] = .covariate(j)
            design.insert(i)
        }
        // Gene columns: named, not a design or covariate column, numeric on the first line.
        var genes: [Int] = []
        for i in header.indices where !header[i].isEmpty && !design.contains(i) {
            if let first = firstData, i < first.count,
               first[i].utf8.withContiguousStorageIfAvailable({ NumberParser.parse($0.baseAddress!, $0.count) }) == .invalid {
                nonNumericNames.append(header[i])
                continue
            }
            genes.append(i)
        }
        let pre = request.preprocessing
        if pre.isIdentity {
            let chosen = try request.features.map { try $0.map { name -> Int in
                let i = try column(name, for: "--features")
                guard r[i] == .ignore else { throw DiDError.invalidOption("feature '\(name)' is a design or covariate column, or listed twice") }
                return i
            } } ?? genes
            guard !chosen.isEmpty else {
                throw DataError(file: path, "no numeric feature column besides the design columns (non-numeric: \(nonNumericNames.joined(separator: ", ")))")
            }
            for (j, i) in chosen.enumerated() { r[i] = .value(j) }
            valueColumns = chosen.map { header[$0] }
            features = valueColumns
            featureSlot = Array(valueColumns.indices)
        } else {
            guard !genes.isEmpty else { throw DataError(file: path, "no numeric gene column besides the design columns") }
            for (j, i) in genes.enumerated() { r[i] = .value(j) }
            valueColumns = genes.map { header[$0] }
            if let sets = pre.geneSets {
                features = sets.names
                featureSlot = []
            } else {
                let slot = Dictionary(uniqueKeysWithValues: valueColumns.enumerated().map { ($0.element, $0.offset) })
                let names = request.features ?? valueColumns
                featureSlot = try names.map { name in
                    guard let s = slot[name] else { _ = try column(name, for: "--features"); throw DataError(file: path, "feature '\(name)' is not a numeric gene column") }
                    return s
                }
                features = names
            }
        }
        roles = r
        nonNumeric = nonNumericNames
    }
}
