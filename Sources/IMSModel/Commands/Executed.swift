/// A command's result with every value it used (`Minted`): what running a command answers
/// when the caller may hand the same values to another backend.
public struct Executed: Sendable, Equatable {
    public var result: CommandResult
    public var minted: Minted

    public init(_ result: CommandResult, minted: Minted) {
        self.result = result
        self.minted = minted
    }
}
