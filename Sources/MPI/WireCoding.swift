/// How `Codable` values travel in MPI messages: JSON bytes. Plans and configs are sent once per
/// run, so clarity wins over speed; hot data (θ, partial sums) travels as `[Double]`.
import Foundation

enum WireCoding {
    static func encode<T: Encodable>(_ value: T) throws(MPIError) -> [UInt8] {
        do { return Array(try JSONEncoder().encode(value)) } catch {
            throw MPIError(call: "encode \(T.self)", message: "\(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(MPIError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw MPIError(call: "decode \(T.self)", message: "\(error)")
        }
    }
}
