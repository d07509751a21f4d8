using System.Text.RegularExpressions;

namespace ImagingCommons.Server.Apis;

/// <summary>Input sanitation of cohort names and descriptions (spec §3).</summary>
internal static class CohortText
{
    // The original's list (script and iframe tags, "![]", "!![]", "[]["…"]"), case-insensitive. NonBacktracking keeps
    // the search linear on hostile input: the ".*" alternative would otherwise backtrack quadratically on a long name.
    private static readonly Regex Refused = new(
        """<script>|</script>|!\[\]|!!\[\]|\[\]\[".*"\]|<iframe>|</iframe>""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>The first refused text in <paramref name="text"/>, or null when there is none.</summary>
    public static string? FindRefused(string? text) =>
        text is not null && Refused.Match(text) is { Success: true } match ? match.Value : null;
}
