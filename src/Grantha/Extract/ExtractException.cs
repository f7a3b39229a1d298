using Grantha.Engine;

namespace Grantha.Extract;

/// <summary>
/// The input cannot be read as a page at all (empty, not HTML, absurdly nested). Permanent: trying
/// again with the same bytes gives the same answer. Everything short of that is a result with warnings.
/// </summary>
public sealed class ExtractException(string code, string message) : Exception(message)
{
    public const string EmptyDocument = "empty_document";
    public const string NotHtml = "not_html";
    public const string HtmlTooDeep = "html_too_deep";

    /// <summary>Stable snake_case code.</summary>
    public string Code { get; } = code;

    public StageException ToStageException() => StageException.Permanent(Code, Message);
}
