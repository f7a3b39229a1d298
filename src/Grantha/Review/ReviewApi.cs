using System.Globalization;
using Grantha.Api;
using Grantha.Engine;
using Grantha.Fetch;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Review;

/// <summary>
/// /v1/admin/review: the queue (viewer), one import in full (viewer, ETag = its version), its stored page served
/// inert, and the curator's actions (curator role; each names the version it saw in If-Match).
/// </summary>
public static class ReviewApi
{
    public sealed record ActionJson(string? Reason, ApprovalEdits? Edits, bool? SeparateWork = null);
    public sealed record MergeJson(long? KrithiId, long? KrithiVersion, string? Reason);
    public sealed record BulkJson(long? Batch, double? MinQuality, double? MinConfidence, bool? NoFlags, bool? DryRun, bool? Policy, string? Reason);

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin/review").WithTags("Review");
        var read = group.MapGroup("").RequireRole(Role.Viewer);
        var curate = group.MapGroup("").RequireRole(Role.Curator);

        read.MapGet("", ListAsync)
            .WithSummary("The review queue: filters combine (batch, state, quality, per-field confidence <field>Min/<field>Max, composer, raga, flag, withoutFlag, noFlags, text); " +
                         "sort quality|-quality|age|-age; keyset paging (?after=<next>); counts per state and flag for the same filter");
        read.MapGet("/{id:long}", DetailAsync).WithSummary("One import in full: manifest rows, extraction, decisions with candidates, catalog look-alikes, history; ETag is its version");
        read.MapGet("/{id:long}/page", PageAsync).WithSummary("The stored source page, served inert (sandboxed: no script runs, nothing is fetched); ?view=reading: its text and structure only (no scripts, styles, frames or fetched images)");
        curate.MapPost("/{id:long}/approve", (long id, ActionJson? body, Db db, HttpContext http) =>
                Act(http, version => Reviews.ApproveAsync(db, id, version, http.Actor(), body?.Reason, body?.Edits, separateWork: body?.SeparateWork ?? false, ct: http.RequestAborted)))
            .WithSummary("Approve (If-Match: the version read), optionally with edits; an approved import is re-approved as a new revision of its krithi");
        curate.MapPost("/{id:long}/reject", (long id, ActionJson? body, Db db, HttpContext http) =>
                Act(http, version => Reviews.RejectAsync(db, id, version, http.Actor(), body?.Reason ?? "", http.RequestAborted)))
            .WithSummary("Reject with a reason (If-Match)");
        curate.MapPost("/{id:long}/defer", (long id, ActionJson? body, Db db, HttpContext http) =>
                Act(http, version => Reviews.DeferAsync(db, id, version, http.Actor(), body?.Reason, http.RequestAborted)))
            .WithSummary("Set aside for later (If-Match)");
        curate.MapPost("/{id:long}/reopen", (long id, ActionJson? body, Db db, HttpContext http) =>
                Act(http, version => Reviews.ReopenAsync(db, id, version, http.Actor(), body?.Reason, http.RequestAborted)))
            .WithSummary("Bring a rejected or deferred import back (If-Match)");
        curate.MapPost("/{id:long}/merge", (long id, MergeJson? body, Db db, HttpContext http) =>
                body?.KrithiId is not { } krithi
                    ? Task.FromResult<IResult>(TypedResults.Problem(title: "Bad request", detail: "Give krithiId: the krithi to merge into.", statusCode: 400))
                    : Act(http, version => Reviews.MergeAsync(db, id, version, krithi, body.KrithiVersion, http.Actor(), body.Reason, http.RequestAborted)))
            .WithSummary("Merge into a krithi (If-Match): adds the source and missing scripts; conflicting fields are listed, not overwritten");
        curate.MapPost("/{id:long}/choose", async (long id, Resolve.ResolveApi.ChooseJson? body, Db db, HttpContext http, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Kind) || string.IsNullOrWhiteSpace(body.Name) || string.IsNullOrWhiteSpace(body.EntityId))
                    return Results.Problem(title: "Bad request", detail: "Give kind, name and entityId: the name as written and the catalog entity it means.", statusCode: 400);
                var import = await Reviews.HeadAsync(db, id, ct) ?? throw new StagedImportNotFoundException(id);
                return Results.Ok(await Resolve.ResolveChoices.ChooseAsync(db, import.BatchId, body.Kind.Trim(), body.Name, body.EntityId.Trim(), http.Actor(), body.Retry ?? true, ct));
            })
            .WithSummary("Choose the catalog entity an unresolved name of this import means: stored as an alias, and the batch's imports blocked on it are resolved again");
        curate.MapPost("/bulk-approve", BulkAsync)
            .WithSummary("Bulk approval of a batch's imports: dryRun answers what would happen; otherwise an approval batch starts (202) and runs as engine work");
        read.MapGet("/bulk-approve/{approvalBatchId:long}", async (long approvalBatchId, Db db, CancellationToken ct) =>
                TypedResults.Ok(await BulkApproval.SummaryAsync(db, approvalBatchId, ct)))
            .WithSummary("How a bulk approval stands: matched, approved, skipped (by reason), krithis created");
        return app;
    }

    static async Task<IResult> ListAsync(HttpContext http, Db db, long? batch, string? state, string? flag, string? withoutFlag, bool? noFlags, double? minQuality, double? maxQuality,
        string? composer, string? raga, string? text, string? sort, string? after, int? limit, CancellationToken ct)
    {
        var filter = QueueFilter(http, batch, state, flag, withoutFlag, noFlags, minQuality, maxQuality, composer, raga, text);
        return TypedResults.Ok(await ReviewQueue.ListAsync(db, filter, sort, after, limit ?? ReviewQueue.PageDefault, ct));
    }

    static async Task<IResult> DetailAsync(long id, Db db, HttpContext http, CancellationToken ct)
    {
        if (await ReviewDetails.GetAsync(db, id, ct) is not { } d)
            return TypedResults.Problem(title: "Not found", detail: $"Staged import {id} does not exist.", statusCode: 404);
        http.Response.Headers.ETag = ETag(d.Import.Version);
        return TypedResults.Ok(d);
    }

    /// <summary>The page the extraction read, as the source sent it or as a reading view, made inert (<see cref="ReadingPage.Serve"/>).</summary>
    static async Task<IResult> PageAsync(long id, string? view, Db db, HttpContext http, CancellationToken ct)
    {
        if (!ReadingPage.IsView(view)) return TypedResults.Problem(title: "Bad request", detail: ReadingPage.ViewProblem, statusCode: 400);
        // The page the extraction read (its content hash), not whatever was fetched for the URL later.
        var sha = await db.ReadAsync(c => Dapper.SqlMapper.ExecuteScalarAsync<string?>(c,
            "SELECT x.sha256 FROM staged_import s JOIN extraction x ON x.id = s.extraction_id WHERE s.id = @id", new { id }), ct);
        if (string.IsNullOrEmpty(sha))
            return TypedResults.Problem(title: "Not found", detail: $"Staged import {id} has no stored page.", statusCode: 404);
        var body = await new PageStore(db).LoadBodyAsync(sha, ct);
        if (body is null) return TypedResults.Problem(title: "Not found", detail: $"The stored page of staged import {id} is no longer kept.", statusCode: 404);
        return ReadingPage.Serve(http, body, view);
    }

    static async Task<IResult> BulkAsync(BulkJson? body, Db db, Pipeline pipeline, HttpContext http, CancellationToken ct)
    {
        if (body?.Batch is not { } batch) return TypedResults.Problem(title: "Bad request", detail: "Give batch: the batch whose imports to approve.", statusCode: 400);
        var defaults = body.Policy == true ? ApprovalCriteria.DefaultPolicy : new ApprovalCriteria();
        var criteria = new ApprovalCriteria
        {
            MinQuality = body.MinQuality ?? defaults.MinQuality, MinConfidence = body.MinConfidence ?? defaults.MinConfidence, NoFlags = body.NoFlags ?? defaults.NoFlags,
        };
        var filter = new ReviewFilter { BatchId = batch };
        _ = await Batches.GetAsync(db, batch, ct) ?? throw new BatchNotFoundException(batch);
        if (body.DryRun == true) return TypedResults.Ok(await BulkApproval.PlanAsync(db, filter, criteria, ct));
        var started = await BulkApproval.StartAsync(db, pipeline, filter, criteria, http.Actor(), body.Reason, ct);
        if (started.ApprovalBatchId is not { } id) return TypedResults.Ok(started);
        return TypedResults.Accepted($"/v1/admin/review/bulk-approve/{id}", started);
    }

    /// <summary>Runs an action with the version from If-Match: 428 without one, 409 (with the current state) when it is stale.</summary>
    static async Task<IResult> Act(HttpContext http, Func<long, Task<ReviewOutcome>> action)
    {
        var ifMatch = http.Request.Headers.IfMatch.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(ifMatch))
            return TypedResults.Problem(title: "If-Match required", detail: "Send If-Match with the ETag of the import as you read it (GET /v1/admin/review/{id}).", statusCode: 428);
        var text = ifMatch.Trim();
        if (text.StartsWith("W/", StringComparison.Ordinal)) text = text[2..];
        if (!long.TryParse(text.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return TypedResults.Problem(title: "Bad request", detail: "If-Match must be the ETag of the import (its version in quotes, e.g. \"3\").", statusCode: 400);
        var outcome = await action(version);
        http.Response.Headers.ETag = ETag(outcome.Version);
        return TypedResults.Ok(outcome);
    }

    static string ETag(long version) => $"\"{version}\"";

    /// <summary>The queue's filter from its query parameters: the list and its export (GET /v1/admin/export?what=staged) read the same ones.</summary>
    internal static ReviewFilter QueueFilter(HttpContext http, long? batch, string? state, string? flag, string? withoutFlag, bool? noFlags,
        double? minQuality, double? maxQuality, string? composer, string? raga, string? text)
    {
        var confidence = new List<ConfidenceRange>();
        foreach (var field in ReviewFilter.ConfidenceFields)
        {
            var min = Number(http, field + "Min");
            var max = Number(http, field + "Max");
            if (min is not null || max is not null) confidence.Add(new ConfidenceRange(field, min, max));
        }
        return new ReviewFilter
        {
            BatchId = batch, States = List(state), MinQuality = minQuality, MaxQuality = maxQuality, Confidence = confidence,
            ComposerId = composer, RagaId = raga, Text = text, NoFlags = noFlags ?? false,
            AnyFlags = (List(flag) ?? []).Aggregate(0, (a, f) => a | ReviewFlags.Parse(f)),
            WithoutFlags = (List(withoutFlag) ?? []).Aggregate(0, (a, f) => a | ReviewFlags.Parse(f)),
        }.Validate();
    }

    static IReadOnlyList<string>? List(string? csv) =>
        string.IsNullOrWhiteSpace(csv) ? null : csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static double? Number(HttpContext http, string name) =>
        http.Request.Query[name].FirstOrDefault() is not { Length: > 0 } s ? null
            : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"{name} must be a number between 0 and 1.");
}
