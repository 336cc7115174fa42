/// A theme's templates compiled by `TemplateCompiler`, rendered straight into bytes.
///
/// Rendering follows swift-mustache's semantics: a name is looked up from the top of the context
/// stack down; `false`, a missing value and an empty list skip a section, any other value opens
/// it (a list once per item, an object or string pushed on the stack, `true` in place); an
/// inverted section renders exactly when a section would not; partials reset the sequence
/// position and add their standalone indentation; the outermost override of a block wins.
struct CompiledTemplates: Sendable {
    let templates: [String: CompiledTemplate]

    /// Compiles every template; throws `TemplateCompiler.Unsupported` if any one is outside the subset.
    init(sources: [String: String]) throws(TemplateCompiler.Unsupported) {
        var templates: [String: CompiledTemplate] = [:]
        for (name, text) in sources { templates[name] = try TemplateCompiler.compile(text) }
        self.templates = templates
    }

    /// Renders the template `name` with `context`, or returns `nil` when there is no such template.
    func render(_ name: String, _ context: TemplateValue) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var renderer = TemplateRenderer(templates: templates, stack: [context])
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        renderer.render(template, State(), into: &out)
        return out
    }

    /// Where the renderer is inside a list, for `first()`, `last()`, `index()`, `even()`, `odd()`.
    struct Sequence {
        var first: Bool
        var last: Bool
        var index: Int
    }

    /// What a render carries besides the context stack.
    struct State {
        var sequence: Sequence?
        var indentation: String?
        var inherited: [String: CompiledTemplate]?
    }
}

private struct TemplateRenderer {
    typealias State = CompiledTemplates.State
    let templates: [String: CompiledTemplate]
    var stack: [TemplateValue]

    mutating func render(_ template: CompiledTemplate, _ state: State, into out: inout [UInt8]) {
        guard let indentation = state.indentation, !indentation.isEmpty else {
            for node in template.nodes { render(node, state, into: &out) }
            return
        }
        // As swift-mustache: a node's non-empty output that starts a line of this template's own
        // output gets the indentation in front.
        let start = out.count
        for node in template.nodes {
            let mark = out.count
            let atLineStart = Self.endsWithLineFeed(out, from: start)
            render(node, state, into: &out)
            if atLineStart, out.count > mark { out.insert(contentsOf: indentation.utf8, at: mark) }
        }
    }

    /// Whether the output since `start` ends with a line feed that is a character of its own (not CR LF).
    private static func endsWithLineFeed(_ out: [UInt8], from start: Int) -> Bool {
        let count = out.count
        guard count > start, out[count - 1] == 0x0A else { return false }
        return !(count - 2 >= start && out[count - 2] == 0x0D)
    }

    private mutating func render(_ node: TemplateNode, _ state: State, into out: inout [UInt8]) {
        switch node {
        case .text(let bytes):
            out.append(contentsOf: bytes)
        case .variable(let path, let escaped):
            guard let value = lookup(path, state) else { return }
            Self.write(value, escaped: escaped, into: &out)
        case .section(let path, let body, let inverted):
            section(lookup(path, state), body: body, inverted: inverted, state, into: &out)
        case .partial(let name, let indented, let overrides):
            guard let template = templates[name] else { return }
            var inner = State(sequence: nil, indentation: state.indentation, inherited: state.inherited)
            if let indented { inner.indentation = (state.indentation ?? "") + indented }
            if let overrides {
                inner.inherited = state.inherited.map { $0.merging(overrides) { outer, _ in outer } } ?? overrides
            }
            render(template, inner, into: &out)
        case .blockExpansion(let name, let fallback, let indented):
            var inner = state
            if let indented { inner.indentation = (state.indentation ?? "") + indented }
            render(state.inherited?[name] ?? fallback, inner, into: &out)
        case .blockDefinition:
            return
        }
    }

    private mutating func section(_ value: TemplateValue?, body: CompiledTemplate, inverted: Bool, _ state: State, into out: inout [UInt8]) {
        switch value {
        case nil:
            if inverted { render(body, state, into: &out) }
        case .bool(let flag):
            if flag != inverted { render(body, state, into: &out) }
        case .list(let items):
            if inverted {
                guard items.isEmpty else { return }
                push(value!, body, State(sequence: nil, indentation: state.indentation, inherited: state.inherited), into: &out)
                return
            }
            for (index, item) in items.enumerated() {
                let position = CompiledTemplates.Sequence(first: index == 0, last: index == items.count - 1, index: index)
                push(item, body, State(sequence: position, indentation: state.indentation, inherited: state.inherited), into: &out)
            }
        case .some(let other):
            if !inverted {
                push(other, body, State(sequence: nil, indentation: state.indentation, inherited: state.inherited), into: &out)
            }
        }
    }

    private mutating func push(_ value: TemplateValue, _ body: CompiledTemplate, _ state: State, into out: inout [UInt8]) {
        stack.append(value)
        render(body, state, into: &out)
        stack.removeLast()
    }

    private func lookup(_ path: TemplatePath, _ state: State) -> TemplateValue? {
        switch path {
        case .current:
            return stack.last
        case .sequence(let transforms):
            guard let position = state.sequence, transforms.count == 1 else { return nil }
            switch transforms[0] {
            case "first": return .bool(position.first)
            case "last": return .bool(position.last)
            case "index": return .int(Int64(position.index))
            case "even": return .bool(position.index & 1 == 0)
            case "odd": return .bool(position.index & 1 == 1)
            default: return nil
            }
        case .local(let names):
            guard let top = stack.last else { return nil }
            return Self.descend(top, names[...])
        case .stack(let names):
            guard let first = names.first else { return stack.last }
            // By index, top down: iterating `stack.reversed()` copies (retains) every object.
            var index = stack.count - 1
            while index >= 0 {
                if case .object(let members) = stack[index], let child = members[first] {
                    return names.count == 1 ? child : Self.descend(child, names.dropFirst())
                }
                index -= 1
            }
            return nil
        }
    }

    private static func descend(_ value: TemplateValue, _ names: ArraySlice<String>) -> TemplateValue? {
        var current = value
        for name in names {
            guard let child = current[name] else { return nil }
            current = child
        }
        return current
    }

    private static func write(_ value: TemplateValue, escaped: Bool, into out: inout [UInt8]) {
        switch value {
        case .string(let text):
            if escaped { HTMLEscaper.append(text, to: &out) } else { out.append(contentsOf: text.utf8) }
        case .int(let number):
            out.append(contentsOf: String(number).utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .list, .object:
            let text = String(describing: value.anyValue)
            if escaped { HTMLEscaper.append(text, to: &out) } else { out.append(contentsOf: text.utf8) }
        }
    }
}

/// HTML escaping byte for byte as swift-mustache does it: the characters `< > & " '` become
/// `&lt; &gt; &amp; &quot; &#39;`. Like swift-mustache it works on characters (grapheme clusters),
/// so a `<` that a combining mark joins into one character stays as it is.
enum HTMLEscaper {
    static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        let mark = out.count
        let done: Bool = text.withUTF8 { bytes in
            let count = bytes.count
            var runStart = 0
            for index in 0..<count {
                let byte = bytes[index]
                guard byte < 0x80, isSpecial[Int(byte)] else { continue }
                // A special byte next to a non-ASCII byte may be part of a longer character (a
                // combining mark after it, a prepended mark before it): leave those rare strings
                // to the character-by-character path below.
                if (index + 1 < count && bytes[index + 1] >= 0x80) || (index > 0 && bytes[index - 1] >= 0x80) { return false }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                out.append(contentsOf: replacement(byte))
                runStart = index + 1
            }
            if runStart < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
            return true
        }
        if done { return }
        out.removeSubrange(mark...)
        for character in text {
            switch character {
            case "<": out.append(contentsOf: "&lt;".utf8)
            case ">": out.append(contentsOf: "&gt;".utf8)
            case "&": out.append(contentsOf: "&amp;".utf8)
            case "\"": out.append(contentsOf: "&quot;".utf8)
            case "'": out.append(contentsOf: "&#39;".utf8)
            default: out.append(contentsOf: character.utf8)
            }
        }
    }

    private static let isSpecial: [Bool] = (0..<128).map { [0x3C, 0x3E, 0x26, 0x22, 0x27].contains($0) }

    @inline(__always)
    private static func replacement(_ byte: UInt8) -> StaticString {
        switch byte {
        case 0x3C: "&lt;"
        case 0x3E: "&gt;"
        case 0x26: "&amp;"
        case 0x22: "&quot;"
        default: "&#39;"
        }
    }
}

private extension Array where Element == UInt8 {
    mutating func append(contentsOf string: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }
}
