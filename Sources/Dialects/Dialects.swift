import GatewayCore

/// Every dialect the gateway speaks.
public enum Dialects {
    public static let all: [any Dialect] = [ForemanDialect(), CecstackDialect(), Idc51Dialect(), HtaiyunDialect()]
}
