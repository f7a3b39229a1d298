using System.Runtime.CompilerServices;
using Dapper;

namespace Grantha.Engine;

/// <summary>Dapper's one global setting, made when the assembly loads, before any query of any command.</summary>
static class DapperSetup
{
    // snake_case columns (task_state) map to PascalCase members (TaskState). Once set in a static
    // constructor that only some commands reached, `grantha batch` could not read a batch.
    [ModuleInitializer]
    internal static void Init() => DefaultTypeMap.MatchNamesWithUnderscores = true;
}
