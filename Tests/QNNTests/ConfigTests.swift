/// Config strictness: unknown keys and wrong types are rejected naming key and file:line;
/// `--set` overrides nested keys; the hash ignores only training.epochs.
import Testing
@testable import QNN

struct ConfigTests {
    @Test("a valid config reads every section with defaults")
    func reads() throws {
        let c = try TestConfigs.config(TestConfigs.irisYAML())
        #expect(c.name == "tiny")
        #expect(c.data.classes == [1, 2])
        #expect(c.model.cuts == 2)
        #expect(c.training.optimizer == .adam)
        #expect(c.estimator.mode == .exact)
        #expect(c.checkpoint.everySteps == 0)
    }

    @Test("an unknown key is rejected with its dotted name and file:line")
    func unknownKey() throws {
        let yaml = TestConfigs.irisYAML().replacingOccurrences(of: "  epochs: 2", with: "  epochs: 2\n  epoch: 3")
        let path = try TestConfigs.write(yaml)
        let error = #expect(throws: ConfigError.self) { try TrainingConfig.load(path: path) }
        #expect(error?.description.contains("unknown key 'training.epoch'") == true, "\(String(describing: error))")
        #expect(error?.description.contains("\(path):") == true)
    }

    @Test("a wrong type names the key, the file and the line")
    func wrongType() throws {
        let yaml = TestConfigs.irisYAML().replacingOccurrences(of: "batch_size: 6", with: "batch_size: six")
        let path = try TestConfigs.write(yaml)
        let error = #expect(throws: ConfigError.self) { try TrainingConfig.load(path: path) }
        let text = error?.description ?? ""
        #expect(text.contains("training.batch_size") && text.contains("'six'") && text.contains("\(path):"), "\(text)")
        let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("six") }! + 1
        #expect(text.contains("\(path):\(line):"), "\(text)")
    }

    @Test("--set overrides nested keys and creates missing sections; unknown keys still fail")
    func overrides() throws {
        let c = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["training.epochs=7", "estimator.mode=shots",
                                                                           "robustness.fgsm_epsilons=[0.1, 0.2]"])
        #expect(c.training.epochs == 7)
        #expect(c.estimator.mode == .shots)
        #expect(c.robustness.fgsmEpsilons == [0.1, 0.2])
        let error = #expect(throws: ConfigError.self) {
            try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["training.epoch=7"])
        }
        #expect(error?.description.contains("--set training.epoch") == true, "\(String(describing: error))")
        #expect(throws: ConfigError.self) { try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["training.optimizer=lbfgs"]) }
        #expect(throws: ConfigError.self) { try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["no-equals-sign"]) }
    }

    @Test("the config hash ignores training.epochs but nothing else")
    func hash() throws {
        let base = try TestConfigs.config(TestConfigs.irisYAML())
        let longer = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["training.epochs=9"])
        let other = try TestConfigs.config(TestConfigs.irisYAML(), overrides: ["training.learning_rate=0.2"])
        #expect(base.hash == longer.hash)
        #expect(base.hash != other.hash)
    }

    @Test("the hash follows the data file's contents, not its path: a moved project resumes, an edited file does not")
    func hashOfTheDataFile() throws {
        let folder = try TestConfigs.temporaryFolder()
        let csv = try String(contentsOfFile: TestConfigs.irisPath, encoding: .utf8)
        try csv.write(toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        try csv.write(toFile: folder + "/b.csv", atomically: true, encoding: .utf8)
        let lines = csv.split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: folder + "/c.csv", atomically: true, encoding: .utf8)
        func hash(_ name: String) throws -> String {
            let yaml = TestConfigs.irisYAML().replacingOccurrences(of: TestConfigs.irisPath, with: folder + "/" + name)
            return try TestConfigs.config(yaml).hash
        }
        #expect(try hash("a.csv") == hash("b.csv"))
        #expect(try hash("a.csv") != hash("c.csv"))
    }

    @Test("cuts beyond the layer count are refused")
    func cutsBeyondLayers() throws {
        let error = #expect(throws: ConfigError.self) { try TestConfigs.config(TestConfigs.irisYAML(cuts: 3, layers: 2)) }
        #expect(error?.description.contains("model.cuts") == true)
    }
}
