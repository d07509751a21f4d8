using System.Text;

namespace ImagingCommons.Client.Downloads;

/// <summary>What a series is, as far as the folders of a download need: the attributes a directory template names.</summary>
/// <param name="CollectionId">collection_id.</param>
/// <param name="PatientId">PatientID.</param>
/// <param name="StudyInstanceUid">StudyInstanceUID.</param>
/// <param name="SeriesInstanceUid">SeriesInstanceUID.</param>
/// <param name="Modality">Modality.</param>
/// <param name="CrdcSeriesUuid">crdc_series_uuid (the folder of the series in the store).</param>
public sealed record SeriesInfo(
    string? CollectionId = null,
    string? PatientId = null,
    string? StudyInstanceUid = null,
    string? SeriesInstanceUid = null,
    string? Modality = null,
    string? CrdcSeriesUuid = null);

/// <summary>
/// idc-index's download directory template: placeholders <c>%collection_id</c>, <c>%PatientID</c>,
/// <c>%StudyInstanceUID</c>, <c>%Modality</c>, <c>%SeriesInstanceUID</c> (and ours, <c>%crdc_series_uuid</c>) joined
/// by the separators <c>-</c>, <c>_</c> and <c>/</c> (a sub-folder). The default is
/// <c>%collection_id/%PatientID/%StudyInstanceUID/%Modality_%SeriesInstanceUID</c>; the empty template puts every
/// file straight into the download folder.
/// </summary>
public sealed class DirectoryTemplate
{
    /// <summary>idc-index's default template.</summary>
    public const string DefaultText = "%collection_id/%PatientID/%StudyInstanceUID/%Modality_%SeriesInstanceUID";

    // Longest first, so that no placeholder is read as the prefix of another.
    private static readonly string[] Placeholders = ["collection_id", "crdc_series_uuid", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "Modality"];

    private readonly IReadOnlyList<(string? Placeholder, string Text)> _parts;

    private DirectoryTemplate(string text, IReadOnlyList<(string?, string)> parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The default template.</summary>
    public static DirectoryTemplate Default { get; } = Parse(DefaultText);

    /// <summary>The template as given.</summary>
    public string Text { get; }

    /// <summary>Whether the template names no folder (every file goes into the download folder).</summary>
    public bool IsFlat => _parts.Count == 0;

    /// <summary>The attributes the template uses.</summary>
    public IEnumerable<string> Attributes => _parts.Where(p => p.Placeholder is not null).Select(p => p.Placeholder!).Distinct(StringComparer.Ordinal);

    /// <summary>Reads a template; throws <see cref="FormatException"/> for anything but placeholders and the three separators.</summary>
    public static DirectoryTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<(string?, string)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '/' or '-' or '_')
            {
                parts.Add((null, c.ToString()));
                i++;
                continue;
            }

            if (c == '%' && Placeholders.FirstOrDefault(p => string.CompareOrdinal(text, i + 1, p, 0, p.Length) == 0) is { } placeholder)
            {
                parts.Add((placeholder, placeholder));
                i += placeholder.Length + 1;
                continue;
            }

            throw new FormatException(
                $"The directory template '{text}' is not made of %collection_id, %PatientID, %StudyInstanceUID, %Modality, %SeriesInstanceUID, "
                + $"%crdc_series_uuid and the separators '-', '_' and '/' (at '{text[i..]}').");
        }

        return new DirectoryTemplate(text, parts);
    }

    /// <summary>
    /// The relative folder of a series. A missing value is spelled "unknown"; characters that cannot be in a file name
    /// (and path separators inside a value) become '_', so a value never makes a folder of its own.
    /// </summary>
    public string Render(SeriesInfo series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var path = new StringBuilder();
        foreach (var (placeholder, text) in _parts)
        {
            path.Append(placeholder is null ? text : Clean(Value(series, placeholder)));
        }

        return string.Join('/', path.ToString().Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s is "." or ".." ? "_" : s));
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string? Value(SeriesInfo series, string placeholder) => placeholder switch
    {
        "collection_id" => series.CollectionId,
        "PatientID" => series.PatientId,
        "StudyInstanceUID" => series.StudyInstanceUid,
        "SeriesInstanceUID" => series.SeriesInstanceUid,
        "Modality" => series.Modality,
        _ => series.CrdcSeriesUuid,
    };

    private static string Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "unknown";
        }

        var invalid = Path.GetInvalidFileNameChars();
        return new string([.. value.Trim().Select(c => c is '/' or '\\' or ':' || char.IsControl(c) || invalid.Contains(c) ? '_' : c)]);
    }
}
