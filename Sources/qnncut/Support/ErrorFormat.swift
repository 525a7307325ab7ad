/// One error format for every command: `qnncut: error: <where>: <what>`, one line, exit code 1.
///
/// Errors arrive from every layer, and some carry details that help a programmer but not a user:
/// the Swift initializer that failed (`CutPlan(circuit:observable:cuts:)`), the HDF5 C call, a
/// Foundation `NSError` dump, a Swift `EncodingError`. `line(for:)` keeps the place and the reason,
/// maps the cutter's call names to what the user typed, and bounds the line's length.
import Cutting
import Foundation
import HDF5

enum ErrorFormat {
    /// The longest message printed; a longer one is cut with an ellipsis.
    static let maxLength = 600

    /// The one-line message for `error`, without the `qnncut: error: ` prefix.
    static func line(for error: Error, cutFlag: String = "cut plan") -> String {
        let text: String
        switch error {
        case let error as CuttingError:
            text = "\(cutFlag): \(reason(of: error))"
        case let error as HDF5Error:
            text = "\(error.path): \(error.message)"
        case is EncodingError, is DecodingError:
            text = "a value could not be written (a number that is not finite?)"
        case let error as CocoaError:
            text = (error.filePath.map { "\($0): " } ?? "") + systemReason(error)
        default:
            text = String(describing: error)
        }
        let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
        return first.count <= maxLength ? first : String(first.prefix(maxLength - 1)) + "…"
    }

    /// A cutter error's reason without the Swift call that raised it.
    static func reason(of error: CuttingError) -> String { error.reason }

    /// The operating system's reason from a Foundation error, without the NSError dump.
    static func systemReason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription.split(separator: "\n").first.map(String.init) ?? "unknown reason"
    }
}
