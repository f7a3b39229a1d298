using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Grantha.Engine;

namespace Grantha.Api;

/// <summary>
/// Roles, weakest first: a stronger role may do everything a weaker one may. A viewer reads; a curator
/// also reviews (approve, reject, merge, defer, choose names, curate the reference catalog); an operator
/// also runs imports (create, pause, retry); an admin also deletes and manages keys. Stored by name.
/// </summary>
public enum Role { Viewer = 1, Curator = 2, Operator = 3, Admin = 4 }

/// <summary>A key as it is listed: never its secret or hash.</summary>
public sealed record ApiKey(string Name, string Role, long CreatedAt, long? RevokedAt)
{
    // For Dapper.
    ApiKey() : this("", "", 0, null) { }
}

/// <summary>
/// API keys: random secrets shown once, stored as SHA-256 hashes, each with a role. Sent as
/// <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: Bearer &lt;key&gt;</c>. A key is revoked, never
/// deleted or changed (V0016 triggers); creation and revocation are events (batch-less) naming who
/// did it. Every request reads its key from the database, so a revocation holds from the next request.
/// </summary>
public static partial class ApiKeys
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9._@:-]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex ValidName();

    public const string Header = "X-Api-Key";
    const string Prefix = "gk_";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static Task<string> CreateAsync(Db db, string name, Role role, CancellationToken ct = default) => CreateAsync(db, name, role, "cli:" + Environment.UserName, ct);

    /// <summary>Creates a key and returns the secret (the only time it is visible). A name is never used twice, even after a revocation.</summary>
    public static async Task<string> CreateAsync(Db db, string name, Role role, string actor, CancellationToken ct = default)
    {
        name = name.Trim();
        if (!ValidName().IsMatch(name))
            throw new ArgumentException("A key's name says who or what uses it: 1 to 100 letters, digits and . _ - @ : (it is part of the revoke route).");
        var key = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await db.WriteAsync(async (c, tx) =>
        {
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_key WHERE name = @name", new { name }, tx) > 0)
                throw new ArgumentException("Another key has that name (revoked keys keep theirs): choose another. ./grantha keys list shows them.");
            var now = Db.NowMs();
            var roleName = role.ToString().ToLowerInvariant();
            await c.ExecuteAsync("INSERT INTO api_key (name, key_hash, role, created_at) VALUES (@name, @hash, @roleName, @now)",
                new { name, hash = Hash(key), roleName, now }, tx);
            await Events.AppendAsync(c, tx, new Event(null, null, null, "api_key_created", actor, now, JsonSerializer.Serialize(new { name, role = roleName }, EngineJson.Options)));
        }, ct);
        return key;
    }

    /// <summary>
    /// Revokes a key: requests with it get 401 from the next one on. Null when no key has the name; a key
    /// revoked already is an illegal transition (HTTP 409, CLI exit code 2).
    /// </summary>
    public static Task<ApiKey?> RevokeAsync(Db db, string name, string actor, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var key = await c.QuerySingleOrDefaultAsync<ApiKey>($"SELECT name, role, created_at, revoked_at FROM api_key WHERE name = @name{db.Dialect.RowLock}", new { name }, tx);
            if (key is null) return null;
            if (key.RevokedAt is not null) throw new IllegalTransitionException("API key", "REVOKED", "REVOKED", "revoke the key");
            var now = Db.NowMs();
            await c.ExecuteAsync("UPDATE api_key SET revoked_at = @now WHERE name = @name", new { now, name }, tx);
            await Events.AppendAsync(c, tx, new Event(null, null, null, "api_key_revoked", actor, now, JsonSerializer.Serialize(new { name, role = key.Role }, EngineJson.Options)));
            return key with { RevokedAt = now };
        }, ct);

    /// <summary>Every key, oldest first, revoked ones too.</summary>
    public static async Task<IReadOnlyList<ApiKey>> ListAsync(Db db, CancellationToken ct = default) =>
        await db.ReadAsync(async c => (await c.QueryAsync<ApiKey>("SELECT name, role, created_at, revoked_at FROM api_key ORDER BY id")).AsList(), ct);

    public static Task<bool> AnyAsync(Db db, CancellationToken ct = default) =>
        db.ReadAsync(async c => await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_key WHERE revoked_at IS NULL") > 0, ct);

    /// <summary>The key's name and role if it is known and not revoked (read on every request: no cache to outlive a revocation).</summary>
    public static Task<(string Name, Role Role)?> FindAsync(Db db, string key, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<(string Name, string Role)?>(
                "SELECT name, role FROM api_key WHERE key_hash = @hash AND revoked_at IS NULL", new { hash = Hash(key) });
            return row is { } r && Enum.TryParse<Role>(r.Role, ignoreCase: true, out var role) ? ((string, Role)?)(r.Name, role) : null;
        }, ct);

    /// <summary>A role by its name only (Enum.TryParse would also take "4" or "viewer,curator", which add up to a stronger role).</summary>
    public static Role ParseRole(string s) => Enum.GetValues<Role>().FirstOrDefault(r => r.ToString().Equals(s.Trim(), StringComparison.OrdinalIgnoreCase)) is var r and not 0
        ? r : throw new ArgumentException("Unknown role: use viewer, curator, operator or admin.");
}
