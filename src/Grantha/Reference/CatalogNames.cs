namespace Grantha.Reference;

/// <summary>
/// How long what a curator writes into the reference catalog may be: a name (an alias chosen for a blocked
/// import, a synonym, an added entity's name) and a note or reason. Without a cap a 100 KB name was stored,
/// and every resolver of every worker then held it.
/// </summary>
public static class CatalogNames
{
    /// <summary>Four times the longest name in ragas.csv (49 characters, "Hameer Kalyāni {carnatic interpretation of Kedar}").</summary>
    public const int MaxChars = 200;

    /// <summary>A note or reason: a few sentences.</summary>
    public const int NoteMaxChars = 2_000;

    /// <summary>The name, or an <see cref="ArgumentException"/> (a 400) that gives the cap.</summary>
    public static string Check(string name, string what) => name.Length <= MaxChars ? name
        : throw new ArgumentException($"The {what} has {name.Length:N0} characters; a name has at most {MaxChars}. Shorten it.");

    /// <summary>The note, or an <see cref="ArgumentException"/> (a 400) that gives the cap.</summary>
    public static string? CheckNote(string? note, string what) => note is null || note.Length <= NoteMaxChars ? note
        : throw new ArgumentException($"The {what} has {note.Length:N0} characters; it has at most {NoteMaxChars:N0}. Shorten it.");
}
