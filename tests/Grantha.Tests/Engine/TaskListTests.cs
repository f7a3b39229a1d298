using Dapper;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Engine;

/// <summary>
/// The batch task list's filters. Host and text read stage_task_search (V0015), a copy of each task's
/// host and subject made when the task is inserted: these tests hold that copy to the tasks themselves.
/// </summary>
public class TaskListTests
{
    static async Task<long> BatchAsync(Db db, params (string Subject, string? Host)[] tasks) =>
        await Batches.CreateAsync(db, "list", new BatchOptions(), "test", [FetchHandler.Name], async (c, tx, id) =>
            await db.Queue.InsertAsync(c, tx, id, tasks.Select(t => new NewTask(FetchHandler.Name, $"{id}:FETCH:{t.Subject}", t.Subject, t.Host)).ToList(), _ => 3, Db.NowMs()));

    static async Task<List<string>> SubjectsAsync(Db db, long batch, TaskFilter filter, long after = 0, int limit = 100) =>
        (await Batches.TasksAsync(db, batch, filter, after, limit)).Select(t => t.Subject).ToList();

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Host_and_text_find_exactly_the_batchs_tasks_that_have_them(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var a = await BatchAsync(t.Db,
            ("http://guru-guha.blogspot.com/2009/07/Kriti-12.html", "guru-guha.blogspot.com"),
            ("http://guru-guha.blogspot.com/2009/07/kriti-123.html", "guru-guha.blogspot.com"),
            ("http://thyagaraja.blogspot.com/2010/01/kriti-12.html", "thyagaraja.blogspot.com"),
            ("manifest.csv", null));
        // Another batch with the same host and text: never in batch a's list.
        var b = await BatchAsync(t.Db, ("http://guru-guha.blogspot.com/2009/07/kriti-12.html", "guru-guha.blogspot.com"));

        (await SubjectsAsync(t.Db, a, new TaskFilter { Host = "guru-guha.blogspot.com" })).ShouldBe(
            ["http://guru-guha.blogspot.com/2009/07/Kriti-12.html", "http://guru-guha.blogspot.com/2009/07/kriti-123.html"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Host = "GURU-GUHA.blogspot.com" })).Count.ShouldBe(2);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Host = "guru-guha.blogspot.example" })).ShouldBeEmpty();
        (await SubjectsAsync(t.Db, b, new TaskFilter { Host = "guru-guha.blogspot.com" })).Count.ShouldBe(1);

        // Text ignores case on both stores (the copy keeps lower(subject)); % and _ are not wildcards.
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "KRITI-12" })).Count.ShouldBe(3);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "kriti-12.html" })).ShouldBe(
            ["http://guru-guha.blogspot.com/2009/07/Kriti-12.html", "http://thyagaraja.blogspot.com/2010/01/kriti-12.html"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "manifest" })).ShouldBe(["manifest.csv"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "no-such-page" })).ShouldBeEmpty();
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "%" })).Count.ShouldBe(4);

        // Combined with each other and with the task's own columns, and paged by id.
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "kriti-12", Host = "thyagaraja.blogspot.com" })).ShouldBe(["http://thyagaraja.blogspot.com/2010/01/kriti-12.html"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "kriti", State = TaskState.Failed })).ShouldBeEmpty();
        var first = (await Batches.TasksAsync(t.Db, a, new TaskFilter { Text = "kriti" }, 0, 1)).Single();
        (await SubjectsAsync(t.Db, a, new TaskFilter { Text = "kriti" }, after: first.Id)).Count.ShouldBe(2);
    }

    /// <summary>
    /// The state filter, RUNNING included (its own statement since V0026, as no index holds running tasks): exactly
    /// the batch's tasks in that state, in any case, and nothing for a state that does not exist.
    /// </summary>
    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_state_filter_finds_exactly_the_batchs_tasks_in_that_state(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        // Another batch's running task is never in a's list.
        var b = await BatchAsync(t.Db, ("b1", null));
        await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, FetchHandler.Name, "w", 1, 60_000, Db.NowMs()));
        var a = await BatchAsync(t.Db, ("a1", null), ("a2", null), ("a3", null));
        var claimed = await t.Db.WriteAsync((c, tx) => t.Db.Queue.ClaimAsync(c, tx, FetchHandler.Name, "w", 2, 60_000, Db.NowMs()));
        claimed.Select(x => x.Subject).ShouldBe(["a1", "a2"]);

        (await SubjectsAsync(t.Db, a, new TaskFilter { State = TaskState.Running })).ShouldBe(["a1", "a2"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { State = "running" })).ShouldBe(["a1", "a2"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { State = "running", Stage = "fetch" }, after: claimed[0].Id)).ShouldBe(["a2"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { State = TaskState.Pending })).ShouldBe(["a3"]);
        (await SubjectsAsync(t.Db, a, new TaskFilter { State = "runing" })).ShouldBeEmpty();
        (await SubjectsAsync(t.Db, b, new TaskFilter { State = TaskState.Running })).ShouldBe(["b1"]);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task The_search_copy_follows_every_insert_and_goes_with_its_batch(string store)
    {
        await using var t = await TestDb.CreateAsync(store);
        var a = await BatchAsync(t.Db, ("http://a.example/1", "a.example"));
        // Tasks added later (a stage's follow-ups, a re-queue of a known key) are found too; a duplicate key adds nothing.
        await t.Db.WriteAsync(async (c, tx) => await t.Db.Queue.InsertAsync(c, tx, a,
            [new NewTask(FetchHandler.Name, $"{a}:FETCH:http://a.example/2", "http://a.example/2", "a.example"),
             new NewTask(FetchHandler.Name, $"{a}:FETCH:http://a.example/1", "http://a.example/1", "a.example")], _ => 3, Db.NowMs()));
        (await SubjectsAsync(t.Db, a, new TaskFilter { Host = "a.example" })).ShouldBe(["http://a.example/1", "http://a.example/2"]);
        var (tasks, copies) = await t.Db.ReadAsync(async c => (
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task WHERE batch_id = @a", new { a }),
            await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task_search WHERE batch_id = @a", new { a })));
        copies.ShouldBe(tasks);

        // Retry by host and text (Controls share the filter) moves exactly those tasks.
        var gone = new ScriptedHandler(FetchHandler.Name, (_, _) => throw StageException.Permanent("http_404", "gone", 404));
        (await EngineHarness.RunUntilSettledAsync(t.Db, a, [gone])).ShouldBe(BatchStatus.Completed);
        (await Controls.RetryAsync(t.Db, a, new TaskFilter { Host = "a.example", Text = "/2" }, "test")).Tasks.ShouldBe(1);

        await Controls.CancelAsync(t.Db, a, "test");
        await Controls.DeleteAsync(t.Db, a, "test");
        (await t.Db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_task_search WHERE batch_id = @a", new { a }))).ShouldBe(0);
    }
}
