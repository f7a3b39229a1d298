using Grantha.Fetch;

namespace Grantha.Engine
{
    // The fetch stage's part of the store dialect: the politeness statements (HostGateSql).
    public abstract partial class Dialect
    {
        public abstract HostGateSql HostGate { get; }
    }

    public sealed partial class PostgresDialect
    {
        public override HostGateSql HostGate => HostGateSql.Postgres;
    }

    public sealed partial class SqliteDialect
    {
        public override HostGateSql HostGate => HostGateSql.Sqlite;
    }
}
