/// A Mustache template compiled once into a tree of nodes that `TemplateRenderer` walks.
///
/// It covers the Mustache that themes use: variables (escaped and `{{{raw}}}`/`{{&raw}}`), dotted
/// and `.`-anchored names, sections and inverted sections over lists, objects and booleans,
/// comments, set delimiters, partials with standalone indentation, template inheritance
/// (`{{<parent}}{{$block}}…{{/block}}{{/parent}}`) and the sequence transforms `first()`,
/// `last()`, `index()`, `even()` and `odd()`. The parser follows swift-mustache's rules for
/// standalone lines and whitespace step by step, so both produce the same bytes; a template
/// using anything else (lambdas, value transforms, dynamic partials, content types) is refused
/// with `TemplateCompiler.Unsupported` and the theme is rendered by swift-mustache instead.
struct CompiledTemplate: Sendable {
    var nodes: [TemplateNode]
}

/// One element of a compiled template.
indirect enum TemplateNode: Sendable {
    /// Literal bytes.
    case text([UInt8])
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}` (raw).
    case variable(TemplatePath, escaped: Bool)
    /// `{{#name}}…{{/name}}` or, inverted, `{{^name}}…{{/name}}`.
    case section(TemplatePath, CompiledTemplate, inverted: Bool)
    /// `{{> name}}`, or `{{< name}}…{{/name}}` with the blocks it overrides.
    case partial(String, indentation: String?, overrides: [String: CompiledTemplate]?)
    /// `{{$name}}…{{/name}}` inside a `{{<parent}}`: an override (only collected by the parser).
    case blockDefinition(String, CompiledTemplate)
    /// `{{$name}}default{{/name}}` in a parent template.
    case blockExpansion(String, default: CompiledTemplate, indentation: String?)
}

/// How a tag finds its value.
enum TemplatePath: Sendable, Equatable {
    /// `{{.}}`: the top of the context stack.
    case current
    /// `{{first()}}` and friends: the position in the list being iterated.
    case sequence(transforms: [String])
    /// `{{.a.b}}`: looked up in the top of the stack only.
    case local([String])
    /// `{{a.b}}`: `a` is searched from the top of the stack down, then `b` inside it.
    case stack([String])
}

/// Compiles Mustache text into `CompiledTemplate`s.
enum TemplateCompiler {
    /// The template uses Mustache outside the compiled subset, or swift-mustache would reject it.
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// Compiles one template.
    static func compile(_ text: String) throws(Unsupported) -> CompiledTemplate {
        var reader = CharacterReader(Array(text))
        do {
            return try parse(&reader, state: ParserState())
        } catch let error as Unsupported {
            throw error
        } catch {
            throw Unsupported(description: "\(error)")
        }
    }

    private struct ParserState {
        var sectionName: String?
        var sectionTransforms: [String] = []
        var newLine = true
        var isPartialDefinition = false
        var isPartialDefinitionTopLevel = false
        var startDelimiter: [Character] = ["{", "{"]
        var endDelimiter: [Character] = ["}", "}"]
        var partialDefinitionIndent: [Character]?

        func withSectionName(_ name: String, newLine: Bool, transforms: [String] = []) -> ParserState {
            var state = self
            state.sectionName = name
            state.sectionTransforms = transforms
            state.isPartialDefinitionTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }

        func withInheritancePartial(_ name: String) -> ParserState {
            var state = self
            state.sectionName = name
            state.sectionTransforms = []
            state.newLine = true
            state.isPartialDefinition = true
            state.isPartialDefinitionTopLevel = true
            return state
        }
    }

    private enum ParseError: Error {
        case sectionCloseNameIncorrect, unfinishedName, expectedSectionEnd, invalidSetDelimiter
        case illegalTokenInsideInheritSection, transformAppliedToInheritanceSection
    }

    // The structure below mirrors swift-mustache's `MustacheTemplate.parse` so that standalone
    // lines, indentation and whitespace come out the same.
    private static func parse(_ reader: inout CharacterReader, state initial: ParserState) throws -> CompiledTemplate {
        var nodes: [TemplateNode] = []
        var state = initial
        var whiteSpaceBefore: [Character] = []
        func text(_ characters: [Character]) -> TemplateNode { .text(Array(String(characters).utf8)) }
        while !reader.reachedEnd {
            if state.newLine {
                let whiteSpace = reader.takeWhile { $0 == " " || $0 == "\t" }
                if state.isPartialDefinition, !state.isPartialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whiteSpaceBefore = Array(whiteSpace.dropFirst(indent.count))
                    } else {
                        state.partialDefinitionIndent = whiteSpace
                    }
                } else {
                    whiteSpaceBefore = whiteSpace
                }
            }
            let literal = try readUntilDelimiterOrNewline(&reader, state: state)
            if reader.current.isNewline {
                nodes.append(text(whiteSpaceBefore + literal + [reader.current]))
                state.newLine = true
                reader.advance()
                continue
            }
            if !literal.isEmpty {
                nodes.append(text(whiteSpaceBefore + literal))
                whiteSpaceBefore = []
                state.newLine = false
            }
            if reader.reachedEnd { break }
            var setNewLine = false
            switch reader.current {
            case "#", "^":
                let inverted = reader.current == "^"
                reader.advance()
                let (name, transforms) = try parseName(&reader, state: state)
                if isStandalone(&reader, state: state) {
                    setNewLine = true
                } else if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = []
                }
                let body = try parse(&reader, state: state.withSectionName(name, newLine: setNewLine, transforms: transforms))
                nodes.append(.section(try path(name, transforms), body, inverted: inverted))

            case "/":
                reader.advance()
                let (name, transforms) = try parseName(&reader, state: state)
                guard name == state.sectionName, transforms == state.sectionTransforms else { throw ParseError.sectionCloseNameIncorrect }
                if !isStandalone(&reader, state: state), !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                }
                return CompiledTemplate(nodes: nodes)

            case "!":
                reader.advance()
                try reader.skip(past: state.endDelimiter)
                setNewLine = isStandalone(&reader, state: state)

            case "{", "&":
                let triple = reader.current == "{"
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = []
                }
                reader.advance()
                let (name, transforms) = try parseName(&reader, state: state)
                if triple { guard try reader.read("}") else { throw ParseError.unfinishedName } }
                nodes.append(.variable(try path(name, transforms), escaped: false))

            case ">":
                reader.advance()
                _ = reader.takeWhile { $0.isWhitespace }
                if reader.current == "*" { throw Unsupported(description: "dynamic partials are not compiled") }
                let name = try parsePartialName(&reader, state: state)
                if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                if isStandalone(&reader, state: state) {
                    setNewLine = true
                    nodes.append(.partial(name, indentation: String(whiteSpaceBefore), overrides: nil))
                } else {
                    nodes.append(.partial(name, indentation: nil, overrides: nil))
                }
                whiteSpaceBefore = []

            case "<":
                reader.advance()
                _ = reader.takeWhile { $0.isWhitespace }
                let name = try parsePartialName(&reader, state: state)
                if name.first == "*" { throw Unsupported(description: "dynamic partials are not compiled") }
                if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                if isStandalone(&reader, state: state) { setNewLine = true }
                let body = try parse(&reader, state: state.withInheritancePartial(name))
                var overrides: [String: CompiledTemplate] = [:]
                for node in body.nodes {
                    switch node {
                    case .blockDefinition(let block, let template): overrides[block] = template
                    case .text: break
                    default: throw ParseError.illegalTokenInsideInheritSection
                    }
                }
                nodes.append(.partial(name, indentation: String(whiteSpaceBefore), overrides: overrides))
                whiteSpaceBefore = []

            case "$":
                reader.advance()
                let (name, transforms) = try parseName(&reader, state: state)
                guard transforms.isEmpty else { throw ParseError.transformAppliedToInheritanceSection }
                if state.isPartialDefinitionTopLevel {
                    if isStandalone(&reader, state: state) { setNewLine = true }
                    let body = try parse(&reader, state: state.withSectionName(name, newLine: setNewLine))
                    nodes.append(.blockDefinition(name, body))
                } else {
                    if !whiteSpaceBefore.isEmpty { nodes.append(text(whiteSpaceBefore)) }
                    if isStandalone(&reader, state: state) { setNewLine = true }
                    let body = try parse(&reader, state: state.withSectionName(name, newLine: setNewLine))
                    nodes.append(.blockExpansion(name, default: body, indentation: String(whiteSpaceBefore)))
                    whiteSpaceBefore = []
                }

            case "=":
                reader.advance()
                state = try parseSetDelimiter(&reader, state: state)
                setNewLine = isStandalone(&reader, state: state)

            case "%":
                throw Unsupported(description: "configuration tags ({{% … }}) are not compiled")

            default:
                if !whiteSpaceBefore.isEmpty {
                    nodes.append(text(whiteSpaceBefore))
                    whiteSpaceBefore = []
                }
                let (name, transforms) = try parseName(&reader, state: state)
                nodes.append(.variable(try path(name, transforms), escaped: true))
            }
            state.newLine = setNewLine
        }
        guard state.sectionName == nil else { throw ParseError.expectedSectionEnd }
        return CompiledTemplate(nodes: nodes)
    }

    /// The lookup a tag name stands for.
    private static func path(_ name: String, _ transforms: [String]) throws(Unsupported) -> TemplatePath {
        if name == "." {
            guard transforms.isEmpty else { throw Unsupported(description: "transforms on '.' are not compiled") }
            return .current
        }
        if name.isEmpty, !transforms.isEmpty { return .sequence(transforms: transforms) }
        guard transforms.isEmpty else { throw Unsupported(description: "value transforms are not compiled") }
        let parts = name.split(separator: ".").map(String.init)
        return name.first == "." ? .local(parts) : .stack(parts)
    }

    private static func readUntilDelimiterOrNewline(_ reader: inout CharacterReader, state: ParserState) throws -> [Character] {
        guard let first = state.startDelimiter.first else { return [] }
        var total: [Character] = []
        while !reader.reachedEnd {
            total += reader.takeWhile { $0 != "\n" && $0 != "\r\n" && $0 != first }
            if reader.current.isNewline {
                break
            } else if reader.current == first {
                if try reader.read(state.startDelimiter) { break }
                total.append(first)
                reader.advance()
            }
        }
        return total
    }

    private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let nameCharactersWithoutBrackets = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let partialNameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")

    /// Reads a tag name and its transforms: `first()` is the name "" with the transform "first".
    private static func parseName(_ reader: inout CharacterReader, state: ParserState) throws -> (String, [String]) {
        _ = reader.takeWhile { $0.isWhitespace }
        let text = reader.takeWhile { nameCharacters.contains($0) }
        _ = reader.takeWhile { $0.isWhitespace }
        guard try reader.read(state.endDelimiter) else { throw ParseError.unfinishedName }
        var name = CharacterReader(text)
        let head = name.takeWhile { nameCharactersWithoutBrackets.contains($0) }
        if name.reachedEnd { return (String(text), []) }
        guard name.current == "(" else { throw ParseError.unfinishedName }
        name.advance()
        var transforms = [String(head)]
        while true {
            let part = name.takeWhile { nameCharactersWithoutBrackets.contains($0) }
            switch name.current {
            case ")":
                name.advance()
                guard name.takeWhile({ $0 == ")" }).count + 1 == transforms.count, name.reachedEnd else { throw ParseError.unfinishedName }
                return (String(part), transforms)
            case "(":
                name.advance()
                transforms.append(String(part))
            default:
                throw ParseError.unfinishedName
            }
        }
    }

    private static func parsePartialName(_ reader: inout CharacterReader, state: ParserState) throws -> String {
        _ = reader.takeWhile { $0.isWhitespace }
        let text = reader.takeWhile { partialNameCharacters.contains($0) }
        _ = reader.takeWhile { $0.isWhitespace }
        guard try reader.read(state.endDelimiter) else { throw ParseError.unfinishedName }
        return String(text)
    }

    private static func parseSetDelimiter(_ reader: inout CharacterReader, state: ParserState) throws -> ParserState {
        _ = reader.takeWhile { $0.isWhitespace }
        let start = try reader.takeUntil { $0.isWhitespace }
        _ = reader.takeWhile { $0.isWhitespace }
        let end = try reader.takeUntil { $0 == "=" || $0.isWhitespace }
        _ = reader.takeWhile { $0.isWhitespace }
        guard try reader.read("="), try reader.read(state.endDelimiter), !start.isEmpty, !end.isEmpty else {
            throw ParseError.invalidSetDelimiter
        }
        var next = state
        next.startDelimiter = start
        next.endDelimiter = end
        next.isPartialDefinitionTopLevel = false
        return next
    }

    private static func isStandalone(_ reader: inout CharacterReader, state: ParserState) -> Bool {
        guard state.newLine else { return false }
        if reader.reachedEnd { return true }
        var probe = reader
        _ = probe.takeWhile { $0 == " " || $0 == "\t" }
        guard probe.current.isNewline else { return false }
        probe.advance()
        reader = probe
        return true
    }
}

/// A cursor over a template's characters (grapheme clusters, as swift-mustache reads them).
private struct CharacterReader {
    struct Overflow: Error {}

    let characters: [Character]
    var position = 0

    init(_ characters: [Character]) { self.characters = characters }

    var reachedEnd: Bool { position == characters.count }
    /// The character at the cursor, or NUL at the end.
    var current: Character { reachedEnd ? "\0" : characters[position] }

    mutating func advance() { position += 1 }

    /// Reads characters while `predicate` holds.
    mutating func takeWhile(_ predicate: (Character) -> Bool) -> [Character] {
        let start = position
        while !reachedEnd, predicate(characters[position]) { position += 1 }
        return Array(characters[start..<position])
    }

    /// Reads characters until `predicate` holds; throws (and stays put) when the end comes first.
    mutating func takeUntil(_ predicate: (Character) -> Bool) throws -> [Character] {
        let start = position
        while !reachedEnd {
            if predicate(characters[position]) { return Array(characters[start..<position]) }
            position += 1
        }
        position = start
        throw Overflow()
    }

    /// Consumes `character` if it is next; throws at the end.
    mutating func read(_ character: Character) throws -> Bool {
        guard !reachedEnd else { throw Overflow() }
        guard characters[position] == character else { return false }
        position += 1
        return true
    }

    /// Consumes `string` if it comes next; throws when fewer characters remain.
    mutating func read(_ string: [Character]) throws -> Bool {
        guard !string.isEmpty else { return true }
        guard characters.count - position >= string.count else { throw Overflow() }
        guard Array(characters[position..<position + string.count]) == string else { return false }
        position += string.count
        return true
    }

    /// Moves past the next occurrence of `string` (a comment's end), matching as swift-mustache does.
    mutating func skip(past string: [Character]) throws {
        guard !string.isEmpty else { return }
        var matched = 0
        while !reachedEnd {
            if characters[position] == string[matched] {
                matched += 1
                if matched == string.count {
                    position += 1
                    return
                }
            } else {
                matched = 0
            }
            position += 1
        }
        throw Overflow()
    }
}
