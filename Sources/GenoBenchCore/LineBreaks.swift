extension StringProtocol {
    /// The lines of the text, split at `\n` and at `\r\n` (files written on Windows).
    ///
    /// Splitting a Swift string at the Character `"\n"` alone misses Windows line ends: `"\r\n"`
    /// is one Character (one grapheme cluster), not `"\r"` followed by `"\n"`, so a CRLF file would
    /// come back as one line. Empty lines are kept (line numbers stay true); a final line break
    /// leaves an empty last element, as `split(separator:omittingEmptySubsequences: false)` does.
    public func splitLines() -> [SubSequence] {
        split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }
}
