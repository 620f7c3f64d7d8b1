/// One variant as a PLINK 1 `.bim` line describes it.
///
/// `allele1` is column 5, the allele PLINK 1.9 counts (A1); `allele2` is column 6. The
/// centimorgan field is kept as text so a file round-trips unchanged.
public struct Variant: Sendable, Equatable {
    public var chromosome: String
    public var id: String
    public var centimorgans: String
    public var position: Int
    public var allele1: String
    public var allele2: String

    public init(chromosome: String, id: String, centimorgans: String = "0", position: Int, allele1: String, allele2: String) {
        self.chromosome = chromosome
        self.id = id
        self.centimorgans = centimorgans
        self.position = position
        self.allele1 = allele1
        self.allele2 = allele2
    }

    /// The `.bim` line (tab-separated, as PLINK 1.9 writes it).
    public var bimLine: String { [chromosome, id, centimorgans, String(position), allele1, allele2].joined(separator: "\t") }
}

/// One sample as a PLINK 1 `.fam` line describes it (fields kept as text).
public struct Sample: Sendable, Equatable {
    public var familyID: String
    public var individualID: String
    public var paternalID: String
    public var maternalID: String
    public var sex: String
    public var phenotype: String

    public init(familyID: String, individualID: String, paternalID: String = "0", maternalID: String = "0",
                sex: String = "0", phenotype: String = "-9") {
        self.familyID = familyID
        self.individualID = individualID
        self.paternalID = paternalID
        self.maternalID = maternalID
        self.sex = sex
        self.phenotype = phenotype
    }

    /// The `.fam` line (space-separated, as PLINK 1.9 writes it).
    public var famLine: String { [familyID, individualID, paternalID, maternalID, sex, phenotype].joined(separator: " ") }
}
