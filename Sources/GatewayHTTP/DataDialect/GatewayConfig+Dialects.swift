extension GatewayConfig {
    /// The compiled dialects and those the config's dialect files define.
    public func dialectRegistry(compiled: [any Dialect]) throws -> DialectRegistry {
        var registry = DialectRegistry(compiled)
        let base = registry
        for file in dialects {
            let dialect = try DialectFile.load(path: resolve(file), compiled: base)
            do {
                try registry.register(dialect)
            } catch {
                throw DialectFileError(file: resolve(file), line: 1, message: "\(error)")
            }
        }
        return registry
    }
}
