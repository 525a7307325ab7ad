/// Test instrument (`qnncut train --inject-failure-rank R --inject-failure-round N
/// --inject-failure-kind K`): rank R fails as round N begins — with a Swift error (`error`), an
/// immediate MPI_Abort (`abort`) or SIGKILL (`kill`) — so the reliability tests can check that
/// every rank ends, the checkpoint survives and the message names the rank.
import Estimator
import MPI
#if canImport(Glibc)
import Glibc
#endif

enum FailureInjection {
    /// The hook for `DistributedEstimator.roundWillBegin` on the failing rank.
    static func hook(rank: Int, round failing: Int, kind: String) -> (Int) throws -> Void {
        return { round in
            guard round == failing else { return }
            let cause = "injected failure (\(kind)) in round \(round)"
            switch kind {
            case "abort":
                let line = "qnncut: error: rank \(rank): \(cause)\n"
                _ = line.withCString { write(2, $0, strlen($0)) }
                MPI.abort(exitCode: 3)
            case "kill":
                kill(getpid(), SIGKILL)
            default:
                throw InjectedFailure(description: cause)
            }
        }
    }
}

/// The error an injected `error` failure throws.
struct InjectedFailure: Error, CustomStringConvertible, Sendable {
    var description: String
}
