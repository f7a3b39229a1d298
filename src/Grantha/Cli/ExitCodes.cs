namespace Grantha.Cli;

/// <summary>Exit codes of the CLI (also in the README).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran but the result is a failure: e.g. <c>import --wait</c> of a batch through which nothing got (outcome failed).</summary>
    public const int Failed = 1;
    /// <summary>The state machine or a version check refused the action (HTTP 409 in the API): reread, then decide again.</summary>
    public const int IllegalTransition = 2;
    public const int NotFound = 3;
    /// <summary>Bad input: a manifest, a path, an option.</summary>
    public const int BadInput = 4;
    /// <summary><c>import --wait</c>: the batch settled, some got through, some tasks failed or rows were rejected.</summary>
    public const int CompletedWithErrors = 5;
    /// <summary><c>import --wait</c>: the batch settled with blocked tasks: names a curator must choose.</summary>
    public const int NeedsAttention = 6;
    /// <summary><c>import --wait</c>: the batch was cancelled.</summary>
    public const int Cancelled = 7;
    public const int Interrupted = 130;

    /// <summary>The exit code that says a settled batch's outcome (<see cref="BatchOutcome"/>).</summary>
    public static int ForOutcome(string outcome) => outcome switch
    {
        BatchOutcome.Completed => Ok,
        BatchOutcome.CompletedWithErrors => CompletedWithErrors,
        BatchOutcome.NeedsAttention => NeedsAttention,
        BatchOutcome.CancelledOutcome => Cancelled,
        _ => Failed,
    };
}
