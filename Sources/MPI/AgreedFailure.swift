/// An error that every rank raises together, because they learned of it through a collective
/// (e.g. rank 0 failed to build a plan and broadcast the reason instead). A job that ends with an
/// `AgreedFailure` may finalize cleanly and exit non-zero: no rank is left waiting in a collective.
public struct AgreedFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
