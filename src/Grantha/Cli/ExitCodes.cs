namespace Grantha.Cli;

/// <summary>Exit codes of the CLI (also in the README).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran but the result is a failure (e.g. a batch settled with failed tasks when --fail-on-errors).</summary>
    public const int Failed = 1;
    /// <summary>The state machine or a version check refused the action (HTTP 409 in the API): reread, then decide again.</summary>
    public const int IllegalTransition = 2;
    public const int NotFound = 3;
    /// <summary>Bad input: a manifest, a path, an option.</summary>
    public const int BadInput = 4;
    public const int Interrupted = 130;
}
