using System.Text.Encodings.Web;
using System.Text.Json;

namespace Grantha.Extract;

/// <summary>
/// The JSON of <c>grantha extract --json</c>: a fixed set of fields in a fixed order, UTF-8 text
/// written as is (Indic letters are not \u-escaped), nulls written out.
/// </summary>
public static class ExtractJson
{
    static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(ExtractedPage page)
    {
        using var stream = new MemoryStream();
        Write(page, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(ExtractedPage page, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, Options);
        w.WriteStartObject();
        w.WriteString("sourceUrl", page.SourceUrl);
        w.WriteString("extractorVersion", page.ExtractorVersion);
        w.WriteString("postTitle", page.PostTitle);
        w.WriteString("title", page.Title);
        w.WriteString("displayTitle", page.DisplayTitle);
        w.WriteStartArray("ragas");
        foreach (var r in page.Ragas)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            if (r.SectionOrder is { } order) w.WriteNumber("section", order);
            else w.WriteNull("section");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("tala", page.Tala);
        w.WriteString("composer", page.Composer);
        w.WriteString("form", page.Form);
        w.WriteString("deity", page.Deity);
        w.WriteString("kshetra", page.Kshetra);
        w.WriteString("published", page.Published);
        w.WriteStartArray("sections");
        foreach (var s in page.Sections)
        {
            w.WriteStartObject();
            w.WriteString("type", s.Type.Code());
            if (s.Number is { } n) w.WriteNumber("number", n);
            else w.WriteNull("number");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("lyrics");
        foreach (var l in page.Lyrics)
        {
            w.WriteStartObject();
            w.WriteString("language", l.Language);
            w.WriteString("script", l.Script);
            w.WriteStartArray("sections");
            foreach (var text in l.Sections) w.WriteStringValue(text);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("gist", page.Gist);
        w.WriteString("meaning", page.Meaning);
        w.WriteString("notes", page.Notes);
        w.WriteString("variations", page.Variations);
        w.WriteStartArray("warnings");
        foreach (var warning in page.Warnings)
        {
            w.WriteStartObject();
            w.WriteString("code", warning.Code);
            w.WriteString("message", warning.Message);
            w.WriteNumber("penalty", warning.Penalty);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("confidence", page.Confidence);
        w.WriteEndObject();
    }
}
