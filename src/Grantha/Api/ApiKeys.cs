using System.Security.Cryptography;
using System.Text;
using Dapper;
using Grantha.Engine;

namespace Grantha.Api;

/// <summary>
/// Roles, weakest first: a stronger role may do everything a weaker one may. A viewer reads; a curator
/// also reviews (approve, reject, merge, defer, choose names, curate the reference catalog); an operator
/// also runs imports (create, pause, retry); an admin also deletes and manages keys. Stored by name.
/// </summary>
public enum Role { Viewer = 1, Curator = 2, Operator = 3, Admin = 4 }

/// <summary>
/// API keys: random secrets shown once, stored as SHA-256 hashes, each with a role. Sent as
/// <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: Bearer &lt;key&gt;</c>.
/// </summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    const string Prefix = "gk_";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Creates a key and returns the secret (the only time it is visible).</summary>
    public static async Task<string> CreateAsync(Db db, string name, Role role, CancellationToken ct = default)
    {
        var key = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await db.WriteAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO api_key (name, key_hash, role, created_at) VALUES (@name, @hash, @role, @now)",
            new { name, hash = Hash(key), role = role.ToString().ToLowerInvariant(), now = Db.NowMs() }, tx), ct);
        return key;
    }

    public static Task<bool> AnyAsync(Db db, CancellationToken ct = default) =>
        db.ReadAsync(async c => await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_key WHERE revoked_at IS NULL") > 0, ct);

    public static Task<(string Name, Role Role)?> FindAsync(Db db, string key, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<(string Name, string Role)?>(
                "SELECT name, role FROM api_key WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = Hash(key) });
            return row is { } r && Enum.TryParse<Role>(r.Role, ignoreCase: true, out var role) ? ((string, Role)?)(r.Name, role) : null;
        }, ct);

    public static Role ParseRole(string s) => Enum.TryParse<Role>(s, ignoreCase: true, out var r) && Enum.IsDefined(r)
        ? r : throw new ArgumentException($"Unknown role '{s}': use viewer, curator, operator or admin.");
}
