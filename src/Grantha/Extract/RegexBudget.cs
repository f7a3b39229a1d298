namespace Grantha.Extract;

/// <summary>
/// The time-out of the extractor's regular expressions. Their quantifiers are bounded, so this
/// only guards against a pattern mistake on hostile input. It is wall time: at 1 s, a worker on a
/// loaded 2-core machine (threads descheduled, a GC) timed out on ordinary pages.
/// </summary>
static class RegexBudget
{
    public const int Ms = 10_000;
}
