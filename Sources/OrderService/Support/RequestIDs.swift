import Synchronization

/// Request ids made without a system call: 16 characters of base62 (like an order id, so logs and
/// answers look alike) from a per-process random key and a counter, mixed so consecutive ids do
/// not look alike. Unique within a process; not secret, unlike `OrderID`.
enum RequestIDs {
    private static let keys = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))
    private static let counter = Atomic<UInt64>(0)

    /// A fresh request id.
    static func make() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        var high = mix(count ^ keys.0)
        var low = mix(count &+ keys.1)
        return String(unsafeUninitializedCapacity: OrderID.length) { buffer in
            for index in 0..<OrderID.length {
                if index < OrderID.length / 2 {
                    buffer[index] = OrderID.alphabet[Int(high % 62)]
                    high /= 62
                } else {
                    buffer[index] = OrderID.alphabet[Int(low % 62)]
                    low /= 62
                }
            }
            return OrderID.length
        }
    }

    /// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
