import Mustache
import Synchronization

extension TemplateCatalog {
    /// This catalog with `words` set in the template `name`, its frame: the words' subject replaces the
    /// template's, and the frame's `{{{content}}}` and `{{{preheader}}}` slots take the body and preheader. The
    /// rest of the frame (unsubscribe and preferences links, postal address, a promotion's ADVERTISEMENT line)
    /// stays as it is, so no campaign can leave it out. Made once per words and kept (see `FramedCatalogs`):
    /// rendering then costs what a template's own words cost.
    public func framing(_ words: MessageWords, in name: String) throws(TemplateError) -> TemplateCatalog {
        if let found = framed.catalog(for: words, template: name) { return found }
        let made = try frame(words, in: name)
        framed.store(made, for: words, template: name)
        return made
    }

    private func frame(_ words: MessageWords, in name: String) throws(TemplateError) -> TemplateCatalog {
        guard let template = templates[name] else { throw TemplateError(file: directory + "/" + name, problem: "no such template") }
        let parts = [name + "/html", name + "/text"]
        for part in parts where !(sources[part]?.text.contains(MessageWords.contentSlot) ?? false) {
            throw TemplateError(file: sources[part]?.file ?? part,
                                problem: "has no \(MessageWords.contentSlot) slot, so template '\(name)' cannot frame a campaign's own words")
        }
        let prepared = try FramedWords(words, subjectName: name + "/subject")
        var library = self.library
        var checked = sources.merging(prepared.checked) { $1 }
        func register(_ source: String, as registered: String) throws(TemplateError) {
            do { library.register(try TemplateFolder.parse(source, as: registered), named: registered) } catch {
                // The checks before make this rare; when it happens, it is named after the words it came from.
                throw TemplateError(file: prepared.checked[registered]?.file ?? sources[registered]?.file ?? registered,
                                    problem: "cannot be read as Mustache: \(error)")
            }
        }
        for (registered, source) in prepared.rendered { try register(source, as: registered) }
        // Every file with a slot gets the words' partial in its place; the checked source, the same include.
        for (registered, source) in sources where source.text.contains(MessageWords.contentSlot) || source.text.contains(MessageWords.preheaderSlot) {
            let text = TemplateFolder.isText(registered)
            let filled = source.text
                .replacingOccurrences(of: MessageWords.contentSlot, with: "{{> \(text ? FramedWords.bodyText : FramedWords.bodyHTML)}}")
                .replacingOccurrences(of: MessageWords.preheaderSlot, with: text ? "" : "{{> \(FramedWords.preheader)}}")
            try register(filled, as: registered)
            checked[registered] = TemplateSource(file: source.file, text: filled)
        }
        var trees = variableTrees
        for part in Self.partsNeeded {
            do { trees[name + "/" + part] = try VariableTree.build(name + "/" + part, sources: checked) } catch {
                throw TemplateError(file: error.file, line: error.line, problem: error.text)
            }
        }
        return TemplateCatalog(directory: directory, templates: [name: template], library: library, plannable: plannable,
                               variableTrees: trees, sources: checked)
    }
}

/// The framed catalogs of the campaigns being sent, by words and frame. The last one used is kept apart: every
/// message of a batch usually has the same words (the same strings, compared by their storage at once).
final class FramedCatalogs: Sendable {
    struct Key: Hashable {
        let words: MessageWords
        let template: String
    }

    static let capacity = 16
    private let state = Mutex<(last: (Key, TemplateCatalog)?, all: [Key: TemplateCatalog])>((nil, [:]))

    func catalog(for words: MessageWords, template: String) -> TemplateCatalog? {
        state.withLock { state in
            if let (key, catalog) = state.last, key.template == template, key.words == words { return catalog }
            let key = Key(words: words, template: template)
            guard let found = state.all[key] else { return nil }
            state.last = (key, found)
            return found
        }
    }

    func store(_ catalog: TemplateCatalog, for words: MessageWords, template: String) {
        state.withLock { state in
            if state.all.count >= Self.capacity { state.all.removeAll(keepingCapacity: true) }
            let key = Key(words: words, template: template)
            state.all[key] = catalog
            state.last = (key, catalog)
        }
    }
}
