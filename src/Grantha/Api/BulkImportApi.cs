using Grantha.Engine;
using Grantha.Manifest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Grantha.Api;

/// <summary>/v1/admin/bulk-import: batches, controls, jobs, tasks, rows and events.</summary>
public static class BulkImportApi
{
    /// <summary>Largest page a list endpoint returns.</summary>
    public const int PageMax = 500;
    public const int PageDefault = 100;

    /// <summary>Fields of one form (the framework's default, named here for messages): also the most paths one batch names.</summary>
    public const int MaxFormFields = 1024;

    public sealed record CreateBatchJson(string? Name, List<string>? Paths, bool? AllowOfflineSite, Dictionary<string, string>? HostMap, bool? Politeness,
        AutoApproveJson? AutoApprove = null);

    /// <summary>An auto-approval policy for the batch (thresholds default to the policy's); absent: the batch stops at review.</summary>
    public sealed record AutoApproveJson(double? MinQuality, double? MinConfidence, bool? NoFlags);
    public sealed record BatchCreated(long BatchId, string Status, string Location);
    public sealed record Page<T>(IReadOnlyList<T> Items, long? Next);
    public sealed record RetryJson(string? Code, string? Host, List<long>? TaskIds, string? Stage, string? State);

    public static IEndpointRouteBuilder MapBulkImportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/admin/bulk-import").WithTags("Bulk import");
        var read = api.MapGroup("").RequireRole(Role.Viewer);
        var operate = api.MapGroup("").RequireRole(Role.Operator);
        var admin = api.MapGroup("").RequireRole(Role.Admin);

        operate.MapPost("/batches", CreateAsync).DisableAntiforgery().WithMetadata(new ManifestUploadRoute())
            .WithSummary("Create a batch from uploaded manifests (multipart, field 'files') or from paths inside the import folder (JSON)")
            // One Accepts: the routing matcher only honours the last one, which would refuse uploads with 415.
            .Accepts<CreateBatchJson>("application/json", "multipart/form-data")
            .Produces<BatchCreated>(201).ProducesProblem(400).ProducesProblem(413).ProducesProblem(415);
        read.MapGet("/batches", ListAsync).WithSummary("Batches, newest first, each with its outcome (keyset: ?before=<id>)");
        read.MapGet("/batches/{id:long}", DetailAsync).WithSummary("A batch with per-stage counts and its manifest summary");
        admin.MapDelete("/batches/{id:long}", DeleteAsync).WithSummary("Delete a batch that is not running (recorded in the audit log)");
        operate.MapPost("/batches/{id:long}/pause", (long id, Db db, HttpContext http) => Control(Controls.PauseAsync(db, id, http.Actor(), http.RequestAborted)));
        operate.MapPost("/batches/{id:long}/resume", (long id, Db db, HttpContext http) => Control(Controls.ResumeAsync(db, id, http.Actor(), http.RequestAborted)));
        operate.MapPost("/batches/{id:long}/cancel", (long id, Db db, HttpContext http) => Control(Controls.CancelAsync(db, id, http.Actor(), http.RequestAborted)));
        operate.MapPost("/batches/{id:long}/retry", (long id, RetryJson? body, Db db, HttpContext http) =>
            Control(Controls.RetryAsync(db, id, Filter(body), http.Actor(), http.RequestAborted)))
            .WithSummary("Retry failed and blocked tasks: all, or by error code, host, stage or task ids");
        operate.MapPost("/batches/{id:long}/requeue", (long id, RetryJson? body, Db db, HttpContext http) =>
            Control(Controls.RequeueAsync(db, id, Filter(body), http.Actor(), http.RequestAborted)))
            .WithSummary("Run finished tasks again (succeeded, failed or blocked) matching the filter");
        read.MapGet("/batches/{id:long}/jobs", async (long id, Db db, CancellationToken ct) => TypedResults.Ok(await JobView.ListAsync(db, (await RequireAsync(db, id, ct)).Id, ct)));
        read.MapGet("/batches/{id:long}/tasks", TasksAsync).WithSummary("Tasks, keyset-paged (?after=<id>), filtered by stage, state, code, host or text (q)");
        read.MapGet("/batches/{id:long}/tasks/export", ExportTasksAsync)
            .WithSummary("Every task matching the task list's filters (stage, state, code, host, q), streamed: ?format=csv (formula-safe cells) or jsonl")
            .Produces(200, contentType: "text/csv").ProducesProblem(400).ProducesProblem(404);
        read.MapGet("/batches/{id:long}/hosts", async (long id, Db db, CancellationToken ct) => TypedResults.Ok(await Fetch.BatchHosts.ListAsync(db, (await RequireAsync(db, id, ct)).Id, ct)))
            .WithSummary("Fetch politeness of each host the batch's FETCH tasks name: delay now, in flight, blocked until, next start, last request, and the tasks by state");
        read.MapGet("/batches/{id:long}/errors", async (long id, Db db, CancellationToken ct) => TypedResults.Ok(await Batches.ErrorGroupsAsync(db, (await RequireAsync(db, id, ct)).Id, ct)))
            .WithSummary("Failed, blocked and retry-waiting tasks counted by stage, state, error code and host (each group a filter of the task list)");
        read.MapGet("/batches/{id:long}/throughput", ThroughputAsync)
            .WithSummary("Finished tasks per time bucket (?bucket=<seconds>, 1 to 86400, default 10) by stage, or by host for FETCH (?by=host)");
        read.MapGet("/batches/{id:long}/rows", RowsAsync).WithSummary("Manifest rows with their outcome (?errors=true for row errors only)");
        read.MapGet("/batches/{id:long}/events", EventsAsync).WithSummary("The batch's event log, oldest first (?after=<id>)");
        read.MapGet("/tasks/{taskId:long}", async Task<Results<Ok<StageTask>, ProblemHttpResult>> (long taskId, Db db, CancellationToken ct) =>
            await Batches.TaskAsync(db, taskId, ct) is { } t ? TypedResults.Ok(t) : TypedResults.Problem(title: "Not found", detail: $"Task {taskId} does not exist.", statusCode: 404));
        read.MapGet("/tasks/{taskId:long}/page", TaskPageAsync)
            .WithSummary("The page a task fetched or reads, served inert (sandboxed: no script runs, nothing is fetched); ?view=reading: its text and structure only");
        Extract.ExtractApi.Map(api);
        Resolve.ResolveApi.Map(api);
        return app;
    }

    static async Task<Results<Created<BatchCreated>, ProblemHttpResult>> CreateAsync(HttpRequest request, Db db, Pipeline pipeline, ImportFolder folder,
        Fetch.OfflineSites offlineSites, HttpContext http, CancellationToken ct)
    {
        var limits = ManifestLimits.Default;
        var inputs = new List<ManifestInput>();
        BatchOptions options;
        string? name;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await request.ReadFormAsync(ct); }
            // The framework's messages name its own limits; these say what to send instead. The body is over the
            // server's limit (Kestrel), or a part is over the form reader's (the same limit, met where Kestrel is not in front).
            catch (Exception e) when (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                                      || e is InvalidDataException && e.Message.StartsWith("Multipart body length limit", StringComparison.Ordinal))
            {
                return Problem(413, "Manifest too large",
                    $"One upload carries at most {limits.MaxBytes:N0} bytes of manifests ({ManifestLimits.Describe(limits.MaxBytes)}). Split the manifests, or import them in several batches.");
            }
            catch (InvalidDataException)
            {
                return Problem(400, "Bad upload", $"The multipart body cannot be read (no boundary or one over 70 characters, a part too long, or more than {MaxFormFields:N0} fields). " +
                    "Send multipart/form-data with the CSV files in the field 'files'.");
            }
            catch (IOException e) when (e.Message.StartsWith("Unexpected end of", StringComparison.Ordinal))
            {
                return Problem(400, "Bad upload", "The multipart body ends before its closing boundary: the upload was cut off. Send it again.");
            }
            if (form.Files.Count == 0) return Problem(400, "No manifest", "Upload one or more CSV files in the multipart field 'files'.");
            foreach (var f in form.Files)
            {
                var fileName = Path.GetFileName(f.FileName);
                if (f.Length > limits.MaxBytes) throw new ManifestsRefusedException([ManifestBatches.TooLarge(fileName, f.Length, limits.MaxBytes)]);
                using var ms = new MemoryStream();
                await f.CopyToAsync(ms, ct);
                inputs.Add(new(fileName, ms.ToArray()));
            }
            name = form["name"].FirstOrDefault();
            options = new BatchOptions
            {
                AllowOfflineSite = bool.TryParse(form["allowOfflineSite"].FirstOrDefault(), out var allow) && allow,
                HostMap = FormHostMap(form["hostMap"]),
                Politeness = bool.TryParse(form["politeness"].FirstOrDefault(), out var pol) ? pol : null,
            };
        }
        else if (request.HasJsonContentType())
        {
            var body = await request.ReadFromJsonAsync<CreateBatchJson>(ct) ?? throw new ArgumentException("Send a JSON body with 'paths', or a multipart upload.");
            if (body.Paths is not { Count: > 0 }) return Problem(400, "No manifest", "Give 'paths': manifest files inside the import folder.");
            if (body.Paths.Count > MaxFormFields) return Problem(400, "Too many manifests", $"Give at most {MaxFormFields:N0} paths; import the others in another batch.");
            foreach (var p in body.Paths)
            {
                inputs.Add(await folder.ReadAsync(p, limits.MaxBytes, ct));
                // The files together are held to the same limit as an upload: stop reading once past it.
                if (inputs.Sum(i => i.Content.LongLength) > limits.MaxBytes) break;
            }
            name = body.Name;
            options = new BatchOptions { AllowOfflineSite = body.AllowOfflineSite ?? false, HostMap = body.HostMap is null ? new(StringComparer.OrdinalIgnoreCase) : new(body.HostMap, StringComparer.OrdinalIgnoreCase), Politeness = body.Politeness };
            // The auto-approval policy (off unless given): the approvals it makes are the caller's.
            if (body.AutoApprove is { } auto)
                options = options with
                {
                    StageOptions = Review.ApprovalPlan.AutoApproval(http.Actor(), Review.ApprovalCriteria.DefaultPolicy with
                    {
                        MinQuality = auto.MinQuality ?? Review.ApprovalCriteria.DefaultPolicy.MinQuality,
                        MinConfidence = auto.MinConfidence ?? Review.ApprovalCriteria.DefaultPolicy.MinConfidence,
                        NoFlags = auto.NoFlags ?? true,
                    }),
                };
        }
        else
        {
            return Problem(415, "Unsupported media type", "Send multipart/form-data with the CSV files in the field 'files', or JSON (application/json) with 'paths' in the import folder.");
        }
        // Mapping hosts onto other servers reaches this machine's loopback: an admin's development feature, and
        // only onto the servers this process allows (serve --offline-site, --offline-site-allow), checked now with
        // the field named, and again by the worker before it connects.
        if (options.AllowOfflineSite || options.HostMap.Count > 0)
        {
            if (http.KeyRole() is not Role.Admin)
                return Problem(403, "Not allowed", "Mapping hosts onto other servers (allowOfflineSite, hostMap) needs the admin role.");
            offlineSites.Check(options);
        }
        var id = await ManifestBatches.CreateAsync(db, pipeline, name, inputs, options, http.Actor(), limits, ct);
        var location = $"/v1/admin/bulk-import/batches/{id}";
        return TypedResults.Created(location, new BatchCreated(id, BatchStatus.Running, location));
    }

    /// <summary>An upload's host map (the dashboard's import options): fields <c>hostMap</c>, each <c>host=baseUrl</c>; checked like JSON's.</summary>
    static Dictionary<string, string> FormHostMap(Microsoft.Extensions.Primitives.StringValues entries)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var eq = entry?.IndexOf('=') ?? -1;
            if (eq <= 0) throw new BatchOptionException("hostMap", "Each hostMap field is host=baseUrl, such as guru-guha.blogspot.com=http://127.0.0.1:5081.");
            map[entry![..eq].Trim()] = entry[(eq + 1)..].Trim();
        }
        return map;
    }

    static async Task<Ok<Page<BatchListItem>>> ListAsync(Db db, long? before, int? limit, CancellationToken ct)
    {
        var n = Limit(limit);
        var items = await BatchListItem.ListAsync(db, before, n, ct);
        return TypedResults.Ok(new Page<BatchListItem>(items, items.Count == n ? items[^1].Id : null));
    }

    static async Task<Ok<BatchView>> DetailAsync(long id, Db db, CancellationToken ct) => TypedResults.Ok(await BatchView.LoadAsync(db, id, ct));

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(long id, Db db, HttpContext http, CancellationToken ct)
    {
        await Controls.DeleteAsync(db, id, http.Actor(), ct);
        return TypedResults.NoContent();
    }

    static async Task<Ok<Page<StageTask>>> TasksAsync(long id, Db db, string? stage, string? state, string? code, string? host, string? q, long? after, int? limit, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        var n = Limit(limit);
        var items = await Batches.TasksAsync(db, id, new TaskFilter { Stage = stage, State = state, ErrorCode = code, Host = host, Text = q }, after ?? 0, n, ct);
        return TypedResults.Ok(new Page<StageTask>(items, items.Count == n ? items[^1].Id : null));
    }

    static async Task<IResult> ExportTasksAsync(long id, Db db, HttpContext http, string? format, string? stage, string? state, string? code, string? host, string? q, CancellationToken ct)
    {
        // Checked before the first byte: once the body has started, an error can no longer be a problem response.
        var f = TaskExport.ParseFormat(format);
        await RequireAsync(db, id, ct);
        http.Response.StatusCode = 200;
        http.Response.ContentType = f == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"batch-{id}-tasks.{f}\"";
        await TaskExport.WriteAsync(db, id, new TaskFilter { Stage = stage, State = state, ErrorCode = code, Host = host, Text = q }, f, http.Response.Body, ct);
        return Results.Empty;
    }

    static async Task<Ok<IReadOnlyList<Batches.ThroughputPoint>>> ThroughputAsync(long id, Db db, string? by, int? bucket, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        if (bucket is < 1 or > 86_400) throw new ArgumentException("bucket is a number of seconds from 1 to 86400.");
        if (by is not (null or "stage" or "host")) throw new ArgumentException("by is stage (the default) or host.");
        return TypedResults.Ok(await Batches.ThroughputAsync(db, id, (bucket ?? 10) * 1000L, by == "host", ct));
    }

    static async Task<Ok<Page<ManifestQueries.RowRecord>>> RowsAsync(long id, Db db, bool? errors, long? after, int? limit, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        var n = Limit(limit);
        var items = await ManifestQueries.RowsAsync(db, id, errors ?? false, after ?? 0, n, ct);
        return TypedResults.Ok(new Page<ManifestQueries.RowRecord>(items, items.Count == n ? items[^1].Id : null));
    }

    static async Task<Ok<Page<Event>>> EventsAsync(long id, Db db, string? kind, long? task, long? after, int? limit, CancellationToken ct)
    {
        await RequireAsync(db, id, ct);
        var n = Limit(limit);
        var items = await Events.PageAsync(db, id, after ?? 0, n, kind, task, ct);
        return TypedResults.Ok(new Page<Event>(items, items.Count == n ? items[^1].Id : null));
    }

    static async Task<Ok<Controls.Result>> Control(Task<Controls.Result> control) => TypedResults.Ok(await control);

    /// <summary>Task ids one retry or requeue may name (a selection on a screen; larger sets go by code, host or state).</summary>
    public const int TaskIdsMax = 10_000;

    static TaskFilter Filter(RetryJson? b) => b?.TaskIds is { Count: > TaskIdsMax }
        ? throw new ArgumentException($"At most {TaskIdsMax:N0} task ids at once; select by code, host, stage or state for more.")
        : new() { ErrorCode = b?.Code, Host = b?.Host, TaskIds = b?.TaskIds, Stage = b?.Stage, State = b?.State };

    static async Task<BatchRow> RequireAsync(Db db, long id, CancellationToken ct) => await Batches.GetAsync(db, id, ct) ?? throw new BatchNotFoundException(id);

    /// <summary>The page size asked for (default <see cref="PageDefault"/>); outside 1..<see cref="PageMax"/> a 400.</summary>
    public static int Limit(int? limit) => limit is null ? PageDefault : limit < 1 || limit > PageMax
        ? throw new ArgumentException($"limit must be between 1 and {PageMax}.") : limit.Value;

    static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(title: title, detail: detail, statusCode: status);

    /// <summary>
    /// A task's stored page: what a FETCH task stored (else the newest page of its URL, e.g. while it waits to retry),
    /// and for the later stages the newest page of the URL they read. A manifest task reads a file, not a page.
    /// </summary>
    static async Task<IResult> TaskPageAsync(long taskId, string? view, Db db, HttpContext http, CancellationToken ct)
    {
        if (!Review.ReadingPage.IsView(view)) return TypedResults.Problem(title: "Bad request", detail: Review.ReadingPage.ViewProblem, statusCode: 400);
        if (await Batches.TaskAsync(db, taskId, ct) is not { } task)
            return TypedResults.Problem(title: "Not found", detail: $"Task {taskId} does not exist.", statusCode: 404);
        if (task.Stage == Manifest.ManifestHandler.Name)
            return TypedResults.Problem(title: "Not found", detail: $"Task {taskId} reads a manifest file, not a page.", statusCode: 404);
        var pages = new Fetch.PageStore(db);
        var page = (task.Stage == Fetch.FetchHandler.Name ? await pages.GetForTaskAsync(taskId, ct) : null) ?? await pages.GetLatestAsync(task.Subject, ct);
        if (page is null) return TypedResults.Problem(title: "Not found", detail: $"No page is stored for task {taskId} yet.", statusCode: 404);
        var body = await pages.LoadBodyAsync(page.Sha256, ct);
        if (body is null) return TypedResults.Problem(title: "Not found", detail: $"The stored page of task {taskId} is no longer kept.", statusCode: 404);
        return Review.ReadingPage.Serve(http, body, view);
    }
}
