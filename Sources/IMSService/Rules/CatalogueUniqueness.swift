import IMSModel

/// Foreman's catalogue rule, stated once: an entry's name is taken within its kind; an
/// operating system's title is (its name alone repeats across releases).
enum CatalogueUniqueness {
    static func fields(of kind: CatalogEntry.Kind) -> [CatalogField] {
        kind == .operatingsystem ? [.title] : [.name]
    }
}
