import GatewayHTTP

/// Every dialect compiled into the gateway (dialects defined as data come from the config).
public enum Dialects {
    public static let all: [any Dialect] = [ForemanDialect(), CecstackDialect(), Idc51Dialect(), HtaiyunDialect()]
}

extension DialectID {
    public static let foreman: DialectID = "foreman"
    public static let cecstack: DialectID = "cecstack"
    public static let idc51: DialectID = "idc51"
    public static let htaiyun: DialectID = "htaiyun"
}
