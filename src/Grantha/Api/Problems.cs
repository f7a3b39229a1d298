using Grantha.Engine;
using Grantha.Manifest;
using Microsoft.AspNetCore.Diagnostics;

namespace Grantha.Api;

/// <summary>Maps the errors a user can cause to problem details; anything else is a 500 without internals.</summary>
public sealed class Problems(IProblemDetailsService problems, ILogger<Problems> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception e, CancellationToken ct)
    {
        var (status, title) = e switch
        {
            IllegalTransitionException => (409, "Illegal transition"),
            BatchNotFoundException or Review.StagedImportNotFoundException or Catalog.KrithiNotFoundException => (404, "Not found"),
            Review.ReviewVersionConflictException or Catalog.KrithiVersionConflictException => (409, "Version conflict"),
            Review.NotApprovableException => (409, "Not approvable"),
            Review.AlreadyInCatalogException => (409, "Already in the catalog"),
            Catalog.KrithiRetractedException => (409, "Krithi retracted"),
            Catalog.KrithiReferenceException => (400, "Not in the reference catalog"),
            ManifestException { Code: ManifestErrorCode.TooLarge } => (413, "Manifest too large"),
            ManifestException => (400, "Bad manifest"),
            ManifestsRefusedException { AnyTooLarge: true } => (413, "Manifest too large"),
            ManifestsRefusedException => (400, "Bad manifest"),
            ImportPathException => (400, "Path refused"),
            BatchOptionException => (400, "Option refused"),
            BadHttpRequestException { StatusCode: 413 } => (413, "Request too large"),
            BadHttpRequestException b => (b.StatusCode, "Bad request"),
            ArgumentException or FormatException or System.Text.Json.JsonException => (400, "Bad request"),
            _ => (500, "Internal error"),
        };
        if (status == 500) log.LogError(e, "Unhandled error on {Path}", http.Request.Path);
        http.Response.StatusCode = status;
        var pd = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = status == 500 ? "The server failed; see its log." : e.Message };
        if (e is IllegalTransitionException it) { pd.Extensions["entity"] = it.Entity; pd.Extensions["from"] = it.From; pd.Extensions["to"] = it.To; }
        if (e is ManifestException me) pd.Extensions["code"] = me.Code;
        if (e is BatchOptionException bo) pd.Extensions["field"] = bo.Field;
        // Every refused file by the name the caller gave it, with what to fix.
        if (e is ManifestsRefusedException mr) pd.Extensions["files"] = mr.Problems.Select(p => new { name = p.Name, code = p.Code, detail = p.Detail }).ToList();
        // What a screen needs to show the conflict without another request.
        if (e is Review.ReviewVersionConflictException rv) { pd.Extensions["currentVersion"] = rv.Current; pd.Extensions["state"] = rv.State; }
        if (e is Catalog.KrithiVersionConflictException kv) pd.Extensions["currentVersion"] = kv.CurrentVersion;
        if (e is Review.NotApprovableException na) { pd.Extensions["missing"] = na.Missing; pd.Extensions["fields"] = na.Fields; }
        if (e is Review.AlreadyInCatalogException ac) pd.Extensions["krithiId"] = ac.KrithiId;
        if (e is Catalog.KrithiReferenceException kr) pd.Extensions["missing"] = kr.Missing;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = pd, Exception = e });
    }
}
