import ArgumentParser

struct QNNCut: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "qnncut")
}
