using System.Text.Json;
using System.Text.RegularExpressions;
using ImagingCommons.Data.Query;

namespace ImagingCommons.Server.Requests;

/// <summary>
/// The spec's invalid-characters rule (§3), the one sanitiser of every route that takes a cohort name, description
/// or filter values: script and iframe tags, "![]", "!![]" and "[]["…"]", case-insensitive.
/// </summary>
internal static class CohortText
{
    // NonBacktracking keeps the search linear on hostile input: the ".*" alternative would otherwise backtrack
    // quadratically on a long name.
    private static readonly Regex Refused = new(
        """<script>|</script>|!!?\[\]|\[\]\[".*"\]|<iframe>|</iframe>""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>The first refused fragment of <paramref name="text"/>, or null when there is none.</summary>
    public static string? FindRefused(string? text) =>
        text is not null && Refused.Match(text) is { Success: true } match ? match.Value : null;

    /// <summary>The first refused fragment among the string values of <paramref name="filters"/>, or null.</summary>
    public static string? FindRefused(FilterSet filters)
    {
        foreach (var entry in filters.Entries)
        {
            if (entry is not TextFilter text)
            {
                continue;
            }

            foreach (var value in text.Values)
            {
                if (FindRefused(value) is { } refused)
                {
                    return refused;
                }
            }
        }

        return null;
    }
}
