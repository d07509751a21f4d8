using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ImagingCommons.Client.Downloads;

/// <summary>A line or row of a manifest that names nothing to download.</summary>
/// <param name="Origin">Where: "line 4", "row 12".</param>
/// <param name="Text">What it says.</param>
/// <param name="Reason">Why it is refused.</param>
public sealed record ManifestProblem(string Origin, string Text, string Reason);

/// <summary>What a manifest asks for, and what in it could not be read.</summary>
/// <param name="Sources">The objects and series folders, in manifest order.</param>
/// <param name="Problems">Lines or rows naming nothing to download.</param>
/// <param name="Ignored">Lines without an s3:// URL (comments, blank lines, stray text), skipped as idc-index skips them.</param>
public sealed record Manifest(IReadOnlyList<DownloadSource> Sources, IReadOnlyList<ManifestProblem> Problems, int Ignored);

/// <summary>
/// Reads download manifests: s5cmd files as IDC's portal and idc-index write them (<c>cp s3://&lt;bucket&gt;/&lt;crdc_series_uuid&gt;/* .</c>
/// lines, <c>#</c> comments), and the rows of <c>idc manifest</c> (JSON array, NDJSON, CSV, TSV; Parquet is turned into
/// rows by the command line). A row with <c>aws_url</c> (or <c>gcs_url</c>) is one object, with <c>instance_size</c> and
/// <c>instance_hash</c> when present; a row with <c>series_aws_url</c>, or <c>crdc_series_uuid</c> and <c>aws_bucket</c>, is a series.
/// </summary>
public static partial class ManifestFile
{
    /// <summary>Reads a manifest file; the format is taken from the extension, else from the content.</summary>
    public static async Task<Manifest> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => FromJson(text),
            ".ndjson" or ".jsonl" => FromNdjson(text),
            ".csv" => FromDelimited(text, ','),
            ".tsv" or ".tab" => FromDelimited(text, '\t'),
            ".s5cmd" => FromS5cmd(text),
            _ => Sniff(text),
        };
    }

    private static Manifest Sniff(string text)
    {
        var first = text.TrimStart();
        if (first.StartsWith('['))
        {
            return FromJson(text);
        }

        if (first.StartsWith('{'))
        {
            return FromNdjson(text);
        }

        var header = text.Split('\n', 2)[0];
        if (!header.Contains("s3://", StringComparison.Ordinal) && (header.Contains("aws_url", StringComparison.Ordinal) || header.Contains("crdc_series_uuid", StringComparison.Ordinal)))
        {
            return FromDelimited(text, header.Contains('\t', StringComparison.Ordinal) ? '\t' : ',');
        }

        return FromS5cmd(text);
    }

    /// <summary>s5cmd lines: <c>cp s3://bucket/path[/*] destination</c>; lines without s3:// are skipped.</summary>
    public static Manifest FromS5cmd(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sources = new List<DownloadSource>();
        var problems = new List<ManifestProblem>();
        var ignored = 0;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.StartsWith('#') || !line.Contains("s3://", StringComparison.Ordinal))
            {
                ignored++;
                continue;
            }

            var origin = "line " + number.ToString(CultureInfo.InvariantCulture);
            var match = CopyLine().Match(line);
            if (!match.Success || !DownloadSource.TryParseUrl(match.Groups["url"].Value, out var bucket, out var path))
            {
                problems.Add(new ManifestProblem(origin, line, "not a 'cp s3://bucket/<crdc_series_uuid>/* <destination>' line"));
                continue;
            }

            sources.Add(path.EndsWith("/*", StringComparison.Ordinal) || path.EndsWith('/')
                ? DownloadSource.Folder(bucket, path.TrimEnd('*'), null, origin)
                : DownloadSource.Object(bucket, path, null, origin: origin));
        }

        return new Manifest(sources, problems, ignored);
    }

    /// <summary>A JSON array of row objects (<c>idc manifest --format json</c>, or a manifest_data array).</summary>
    public static Manifest FromJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("manifest", out var manifest) && manifest.TryGetProperty("manifest_data", out var data))
        {
            root = data;
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A JSON manifest is an array of row objects.");
        }

        return FromRows(root.EnumerateArray().Select(Row));
    }

    /// <summary>One JSON row object a line.</summary>
    public static Manifest FromNdjson(string text) =>
        FromRows(text.Split('\n').Where(l => l.Trim().Length > 0).Select(l =>
        {
            using var document = JsonDocument.Parse(l);
            return Row(document.RootElement);
        }).ToList());

    /// <summary>CSV or TSV with a header line (RFC 4180 quoting).</summary>
    public static Manifest FromDelimited(string text, char delimiter)
    {
        var records = Delimited.Parse(text, delimiter);
        if (records.Count == 0)
        {
            return new Manifest([], [], 0);
        }

        var header = records[0];
        return FromRows(records.Skip(1).Where(r => r.Count > 1 || r[0].Length > 0).Select(r =>
        {
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                row[header[i]] = i < r.Count && r[i].Length > 0 ? r[i] : null;
            }

            return (IReadOnlyDictionary<string, string?>)row;
        }));
    }

    /// <summary>Rows of named values, as the manifest writers write them.</summary>
    public static Manifest FromRows(IEnumerable<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sources = new List<DownloadSource>();
        var problems = new List<ManifestProblem>();
        var number = 0;
        foreach (var row in rows)
        {
            number++;
            var origin = "row " + number.ToString(CultureInfo.InvariantCulture);
            var series = new SeriesInfo(Get(row, "collection_id"), Get(row, "PatientID"), Get(row, "StudyInstanceUID"), Get(row, "SeriesInstanceUID"), Get(row, "Modality"), Get(row, "crdc_series_uuid"));
            if ((Get(row, "aws_url") ?? Get(row, "gcs_url")) is { } url)
            {
                if (!DownloadSource.TryParseUrl(url, out var bucket, out var key))
                {
                    problems.Add(new ManifestProblem(origin, url, "not an s3:// or gs:// URL of an object"));
                    continue;
                }

                long? size = long.TryParse(Get(row, "instance_size"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
                sources.Add(DownloadSource.Object(bucket, key, series, size, Md5(Get(row, "instance_hash")), origin));
            }
            else if (Get(row, "series_aws_url") is { } seriesUrl && DownloadSource.TryParseUrl(seriesUrl, out var seriesBucket, out var prefix))
            {
                sources.Add(DownloadSource.Folder(seriesBucket, prefix.TrimEnd('*'), series, origin));
            }
            else if (series.CrdcSeriesUuid is { } uuid && Get(row, "aws_bucket") is { } awsBucket)
            {
                sources.Add(DownloadSource.Folder(awsBucket, uuid + "/", series, origin));
            }
            else
            {
                problems.Add(new ManifestProblem(origin, string.Join(", ", row.Where(p => p.Value is not null).Select(p => p.Key + "=" + p.Value)),
                    "names no object (aws_url) and no series (crdc_series_uuid with aws_bucket, or series_aws_url)"));
            }
        }

        return new Manifest(sources, problems, 0);
    }

    /// <summary>An MD5 as 32 lower-case hex digits, or null when the text is not one.</summary>
    public static string? Md5(string? text) => text is { Length: 32 } && text.All(char.IsAsciiHexDigit) ? text.ToLowerInvariant() : null;

    private static string? Get(IReadOnlyDictionary<string, string?> row, string key) => row.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    private static Dictionary<string, string?> Row(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("A manifest row is a JSON object.");
        }

        var row = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            row[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => property.Value.GetString(),
                _ => property.Value.GetRawText(),
            };
        }

        return row;
    }

    [GeneratedRegex(@"^(cp|sync)\s+(?:-\S+\s+)*(?<url>s3://\S+)(\s+\S.*)?$")]
    private static partial Regex CopyLine();
}

/// <summary>RFC 4180 records: fields quoted with '"' may hold the delimiter, doubled quotes and line breaks.</summary>
internal static class Delimited
{
    public static List<List<string>> Parse(string text, char delimiter)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n':
                    record.Add(field.ToString());
                    records.Add(record);
                    record = [];
                    field.Clear();
                    any = false;
                    break;
                default:
                    if (c == delimiter)
                    {
                        record.Add(field.ToString());
                        field.Clear();
                    }
                    else
                    {
                        field.Append(c);
                        any = true;
                    }

                    break;
            }
        }

        if (any || field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }
}
