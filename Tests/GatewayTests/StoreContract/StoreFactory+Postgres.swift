/// The PostgreSQL store's factory (helper "pg" fills it): a fresh database or schema per test
/// when `IMS_PG_URL` is set, none otherwise.
extension StoreFactory {
    static var postgres: [StoreFactory] { [] }
}
