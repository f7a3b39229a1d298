using Dapper;
using Grantha.Engine;

namespace Grantha.Extract;

/// <summary>
/// Whether a batch runs a stage (every stage handler asks before it starts the next stage's tasks):
/// its options' stage list when one was given, else the jobs it was
/// created with (one job per stage). A stage only starts the next one the batch runs.
/// </summary>
public static class BatchStages
{
    public static async Task<bool> IncludesAsync(TaskContext context, string stage, CancellationToken ct = default)
    {
        if (context.Batch.Stages is { } listed) return listed.Contains(stage, StringComparer.OrdinalIgnoreCase);
        var batchId = context.Task.BatchId;
        if (batchId == 0) return false;
        return await context.Db.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM job WHERE batch_id = @batchId AND stage = @stage", new { batchId, stage }), ct) > 0;
    }
}
