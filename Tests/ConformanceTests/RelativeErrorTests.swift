import Testing

/// The checker's comparison must fail on a NaN or infinity the other side does not have:
/// otherwise a rule returning NaN would pass every conformance check.
@Test func relativeErrorFailsOnUnmatchedNonFiniteValues() {
  #expect(relativeError([1, .nan, .nan, .nan], [1, 2, 3, 4]) == .infinity)
  #expect(relativeError([1, 2, 3, 4], [1, 2, .infinity, 4]) == .infinity)
  #expect(relativeError([.infinity], [-.infinity]) == .infinity)
  #expect(relativeError([1, .nan, .infinity], [1, .nan, .infinity]) == 0)
  #expect(relativeError([1, 2], [1, 2.5]) == 0.5 / 2.5)
}
