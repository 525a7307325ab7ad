/// The execute stage of a round: this rank's share of the work units under the round's schedule,
/// into a fragment-value table that is zero wherever the rank did no work (or lost a chunk to a
/// faster copy), with what the rank learned about costs on the way.
import Cutting
import MPI

extension DistributedEstimator {
    struct Execution {
        var table: FragmentValueTable
        var chunkCount: Int
    }

    func execute(_ received: RoundHeader, times: inout RankTimes) throws -> Execution {
        let batchTheta = received.theta, batchInputs = received.inputs
        var table = FragmentValueTable(plan: plan, sampleCount: batchInputs.count, method: received.method)
        let costs = costModel.costs(factors: received.costFactors)
        let schedule = options.policy == .adaptive
            ? Schedule(adaptiveCosts: costs, speeds: received.speeds, chunkSize: options.chunkSize)
            : Schedule(policy: options.policy, unitCount: plan.workUnits.count, ranks: world.size,
                       chunkSize: options.chunkSize, costs: options.policy == .static ? costs : nil)
        var touched: [Int] = []
        // What the cost model and the rank speeds learn from (RankTimes.cost, fragment sums).
        var costDone = 0.0
        var fragmentSeconds = [Double](repeating: 0, count: plan.fragments.count), fragmentModel = fragmentSeconds
        let evaluateUnit: (Int) throws -> Double = { unit in
            let t0 = MPI.wallTime()
            defer {
                let f = self.costModel.fragmentOfUnit[unit]
                costDone += costs[unit]
                fragmentSeconds[f] += MPI.wallTime() - t0
                fragmentModel[f] += self.costModel.model[unit]
            }
            if let executor = self.executor {
                try executor.execute(unit: unit, plan: self.plan, theta: batchTheta, inputs: batchInputs, table: &table)
            } else {
                let compiled = self.circuits.circuit(unit: unit, plan: self.plan)
                table.evaluate(unit: unit, circuit: compiled, theta: batchTheta, inputs: batchInputs) {
                    self.circuits.shiftedCircuit(unit: unit, inputs: $0, plan: self.plan)
                }
            }
            touched.append(unit)
            return MPI.wallTime() - t0
        }
        var runner = UnitRunner(evaluate: evaluateUnit, straggler: options.straggler, rank: world.rank, round: round)
        // An executor runs each chunk's circuits in a few batched lines before its units are
        // stored (static and dynamic schedules alike); that time is work.
        var prepareSeconds = 0.0
        if let executor {
            runner.willRunChunk = { units in
                let t0 = MPI.wallTime()
                defer { prepareSeconds += MPI.wallTime() - t0 }
                try executor.prepare(units: units, plan: self.plan, theta: batchTheta, inputs: batchInputs, method: received.method)
            }
        }
        if options.policy.isDynamic {
            var scheduler = DynamicScheduler(world: world, schedule: schedule, epoch: DynamicScheduler.nextEpoch(),
                                             runner: runner)
            scheduler.speeds = received.speeds
            let winners = try scheduler.run(times: &times)
            // First result wins: forget what this rank computed for chunks another rank won.
            var chunkOfUnit = [Int](repeating: 0, count: plan.workUnits.count)
            for (c, units) in schedule.chunks.enumerated() { for u in units { chunkOfUnit[u] = c } }
            for unit in touched where winners[chunkOfUnit[unit]] != world.rank { table.clear(unit: unit) }
        } else {
            for chunk in schedule.ownedChunks(rank: world.rank) {
                try runner.willRunChunk(Array(schedule.chunks[chunk]))
                for unit in schedule.chunks[chunk] { try runner.run(unit, times: &times) }
                times.chunks += 1
            }
        }
        times.busy += prepareSeconds
        times.cost = costDone
        times.fragmentSeconds = fragmentSeconds
        times.fragmentModelCost = fragmentModel
        return Execution(table: table, chunkCount: schedule.chunks.count)
    }
}
