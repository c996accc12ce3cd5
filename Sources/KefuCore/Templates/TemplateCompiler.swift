import Foundation
import Mustache

/// Turns template text into a `MustacheTemplate` once: checks that it parses, uses only plain
/// variables and sections (no partials, blocks, delimiter changes or pragmas) and names only the
/// variables its template allows. Compiled texts are cached by their text, so a text is parsed
/// once per process, not per ticket action.
public enum TemplateCompiler {
    /// Longest template text, in characters.
    public static let maxLength = 2_000

    /// Why a text cannot be used, for a 422 naming the field.
    public struct Refusal: Error, Sendable, Equatable {
        public var reason: String
    }

    /// Every text marks its output as plain text: nothing a variable holds is HTML-escaped.
    private static let plainText = "{{% CONTENT_TYPE: TEXT}}"

    private static let cache = TemplateCache()

    /// `text` compiled for `template`, from the cache when it was compiled before.
    public static func compile(_ text: String, for template: CustomerTemplate) throws(Refusal) -> MustacheTemplate {
        if let compiled = cache[text, template] { return compiled }
        guard InputText.length(text) <= maxLength else { throw Refusal(reason: "must be at most \(maxLength) characters") }
        let compiled: MustacheTemplate
        do {
            compiled = try MustacheTemplate(string: plainText + text)
        } catch let error as MustacheTemplate.ParserError {
            throw Refusal(reason: "does not parse (line \(error.context.lineNumber), column \(error.context.columnNumber))")
        } catch {
            throw Refusal(reason: "does not parse")
        }
        let allowed = template.variableNames
        for tag in tags(in: text) {
            guard let sigil = tag.first else { throw Refusal(reason: "has an empty tag") }
            let name: Substring
            switch sigil {
            case "!": continue
            case "#", "^", "/", "&", "{": name = tag.dropFirst()
            case ">", "<", "$", "=", "%": throw Refusal(reason: "may use only variables and sections, not {{\(sigil)…}}")
            default: name = tag[...]
            }
            let variable = name.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "}"))
            guard allowed.contains(variable) else {
                throw Refusal(reason: "names unknown variable '\(variable)' (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        cache[text, template] = compiled
        return compiled
    }

    /// The inside of every `{{…}}` (and `{{{…}}}`) of `text`, with the standard delimiters.
    static func tags(in text: String) -> [Substring] {
        var found: [Substring] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            let triple = afterOpen.hasPrefix("{")
            guard let close = afterOpen.range(of: triple ? "}}}" : "}}") else { break }
            found.append(afterOpen[..<close.lowerBound])
            rest = afterOpen[close.upperBound...]
        }
        return found
    }
}

/// Compiled texts by text and template, bounded: cleared whole when full (overrides are few).
private final class TemplateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var compiled: [String: MustacheTemplate] = [:]
    private let capacity = 4_096

    subscript(text: String, template: CustomerTemplate) -> MustacheTemplate? {
        get { lock.withLock { compiled[template.rawValue + "\u{0}" + text] } }
        set {
            lock.withLock {
                if compiled.count >= capacity { compiled.removeAll() }
                compiled[template.rawValue + "\u{0}" + text] = newValue
            }
        }
    }
}
