/// The mixing and hashing primitives against published reference values: their outputs are
/// stored in checkpoints and seals, so a change here would orphan every file written before.
import Testing
import Support

@Suite struct HashingTests {
    /// SplitMix64 seeded with 1234567 (the reference implementation's test vector).
    @Test func splitMix64MatchesTheReferenceSequence() {
        var g = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    /// FNV-1a 64 of "" and "a" and "foobar" (the published test vectors).
    @Test func fnv1aMatchesThePublishedVectors() {
        #expect(FNV1a().value == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a(Array("a".utf8)).value == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a(Array("foobar".utf8)).value == 0x8594_4171_f739_67e8)
        #expect(FNV1a(Array("a".utf8)).paddedHex == "af63dc4c8601ec8c")
    }

    @Test func aWordIsItsEightLittleEndianBytes() {
        var a = FNV1a(), b = FNV1a()
        a.add(word: 0x0102_0304_0506_0708)
        b.add([8, 7, 6, 5, 4, 3, 2, 1] as [UInt8])
        #expect(a.value == b.value)
    }

    @Test func xoshiroIsSeededThroughSplitMix() {
        var g = SplitMix64(seed: 42)
        #expect(Xoshiro256(seed: 42).state == (0..<4).map { _ in g.next() })
    }
}
