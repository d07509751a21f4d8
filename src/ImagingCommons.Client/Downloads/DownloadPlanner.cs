using ImagingCommons.Contracts;

namespace ImagingCommons.Client.Downloads;

/// <summary>idc-index's selection: the most specific attribute given wins (a series selection ignores the collection given with it).</summary>
/// <param name="CollectionIds">collection_id values.</param>
/// <param name="PatientIds">PatientID values.</param>
/// <param name="StudyInstanceUids">StudyInstanceUID values.</param>
/// <param name="SeriesInstanceUids">SeriesInstanceUID values.</param>
/// <param name="CrdcSeriesUuids">crdc_series_uuid values.</param>
public sealed record DownloadSelection(
    IReadOnlyList<string>? CollectionIds = null,
    IReadOnlyList<string>? PatientIds = null,
    IReadOnlyList<string>? StudyInstanceUids = null,
    IReadOnlyList<string>? SeriesInstanceUids = null,
    IReadOnlyList<string>? CrdcSeriesUuids = null)
{
    /// <summary>The attribute and values that select, or null when nothing is given.</summary>
    public (string Attribute, IReadOnlyList<string> Values)? MostSpecific =>
        CrdcSeriesUuids is { Count: > 0 } crdc ? ("crdc_series_uuid", crdc)
        : SeriesInstanceUids is { Count: > 0 } series ? ("SeriesInstanceUID", series)
        : StudyInstanceUids is { Count: > 0 } studies ? ("StudyInstanceUID", studies)
        : PatientIds is { Count: > 0 } patients ? ("PatientID", patients)
        : CollectionIds is { Count: > 0 } collections ? ("collection_id", collections)
        : null;
}

/// <summary>What the planner found: the objects to fetch, and the identifiers that select nothing.</summary>
/// <param name="Sources">Objects (with their series attributes, sizes and hashes) and series folders.</param>
/// <param name="Unmatched">Identifiers of the request that the server does not know.</param>
public sealed record SelectedSources(IReadOnlyList<DownloadSource> Sources, IReadOnlyList<string> Unmatched);

/// <summary>
/// Turns selections, identifiers and manifests into download sources with the server's help: instance-level v2
/// manifests (aws_url, instance_size, and instance_hash when the server has it) for selections, and
/// <c>/api/v1/resolve</c> for identifiers and for the series of s5cmd lines (whose folders and hashes the server knows).
/// </summary>
public sealed class DownloadPlanner(ImagingCommonsClient client)
{
    private const int Chunk = 500;

    private static readonly string[] SeriesFields = ["collection_id", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "Modality", "crdc_series_uuid"];

    private bool? _hasHash;

    /// <summary>The instances of a selection (the most specific attribute given).</summary>
    public async Task<SelectedSources> SelectAsync(DownloadSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.MostSpecific is not { } chosen)
        {
            throw new ArgumentException("Select something: a collection, patient, study, series or crdc_series_uuid.", nameof(selection));
        }

        return await SelectAsync(chosen.Attribute, chosen.Values, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The instances whose <paramref name="attribute"/> is one of <paramref name="values"/>; values that select nothing are returned as unmatched.</summary>
    public async Task<SelectedSources> SelectAsync(string attribute, IReadOnlyList<string> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var resolved = await ResolveAsync(values, cancellationToken).ConfigureAwait(false);
        var matched = resolved.SelectMany(i => i.Matches.Where(m => m.Attribute == attribute)).ToList();
        var unmatched = resolved.Where(i => i.Matches.All(m => m.Attribute != attribute)).Select(i => i.Id).ToList();

        // v2 filters cannot select by crdc_series_uuid: select by the SeriesInstanceUID of that series version, then keep that version.
        var (filter, selected) = attribute == "crdc_series_uuid"
            ? ("SeriesInstanceUID", matched.Select(m => m.SeriesInstanceUid!).ToList())
            : (attribute, matched.Select(m => m.Value).ToList());
        var keep = attribute == "crdc_series_uuid" ? matched.Select(m => m.Value).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        var sources = await InstancesAsync(filter, selected, cancellationToken).ConfigureAwait(false);
        return new SelectedSources([.. sources.Where(s => keep is null || s.CrdcSeriesUuid is { } uuid && keep.Contains(uuid))], unmatched);
    }

    /// <summary>
    /// idc-index's <c>idc download &lt;ids&gt;</c>: every id looked up under collection_id, PatientID, StudyInstanceUID,
    /// SeriesInstanceUID and crdc_series_uuid, and the instances of every match.
    /// </summary>
    public async Task<SelectedSources> SelectIdsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var resolved = await ResolveAsync(ids, cancellationToken).ConfigureAwait(false);
        var sources = new List<DownloadSource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in resolved.SelectMany(i => i.Matches).GroupBy(m => m.Attribute))
        {
            var crdc = group.Key == "crdc_series_uuid";
            var keep = crdc ? group.Select(m => m.Value).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
            var found = await InstancesAsync(crdc ? "SeriesInstanceUID" : group.Key, [.. group.Select(m => crdc ? m.SeriesInstanceUid! : m.Value).Distinct()], cancellationToken)
                .ConfigureAwait(false);
            sources.AddRange(found.Where(s => (keep is null || s.CrdcSeriesUuid is { } uuid && keep.Contains(uuid)) && seen.Add(s.Url)));
        }

        return new SelectedSources(sources, [.. resolved.Where(i => i.Matches.Count == 0).Select(i => i.Id)]);
    }

    /// <summary>
    /// The series attributes and expected files of sources that lack them (s5cmd lines), looked up by their
    /// crdc_series_uuid; the crdc_series_uuids the server does not know are returned as unmatched.
    /// </summary>
    public async Task<SelectedSources> DescribeAsync(IReadOnlyList<DownloadSource> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var wanted = sources.Where(s => s.Series is null && s.CrdcSeriesUuid is not null).Select(s => s.CrdcSeriesUuid!).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return new SelectedSources(sources, []);
        }

        var resolved = await ResolveAsync(wanted, cancellationToken).ConfigureAwait(false);

        var uids = resolved.SelectMany(i => i.Matches.Where(m => m.Attribute == "crdc_series_uuid")).ToDictionary(m => m.Value, m => m.SeriesInstanceUid!, StringComparer.OrdinalIgnoreCase);
        var instances = await InstancesAsync("SeriesInstanceUID", [.. uids.Values.Distinct()], cancellationToken).ConfigureAwait(false);
        var bySeries = instances.Where(i => i.CrdcSeriesUuid is not null).GroupBy(i => i.CrdcSeriesUuid!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        var described = sources.Select(s =>
        {
            if (s.Series is not null || s.CrdcSeriesUuid is not { } uuid || !bySeries.TryGetValue(uuid, out var files))
            {
                return s;
            }

            var expected = files.GroupBy(f => f.Key![(f.Key!.LastIndexOf('/') + 1)..], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new ExpectedObject(g.First().Size, g.First().Md5), StringComparer.Ordinal);
            var name = s.Key?[(s.Key.LastIndexOf('/') + 1)..];
            return s with
            {
                Series = files[0].Series,
                Expected = s.Prefix is null ? null : expected,
                Size = s.Key is null ? s.Size : s.Size ?? expected.GetValueOrDefault(name!)?.Size,
                Md5 = s.Key is null ? s.Md5 : s.Md5 ?? expected.GetValueOrDefault(name!)?.Md5,
            };
        }).ToList();
        return new SelectedSources(described, [.. wanted.Where(w => !bySeries.ContainsKey(w))]);
    }

    /// <summary>The server's resolution of identifiers, a few thousand at a time (the route takes at most 10,000).</summary>
    private async Task<List<ResolvedId>> ResolveAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var resolved = new List<ResolvedId>();
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(5_000))
        {
            resolved.AddRange((await client.Extensions.ResolveAsync(chunk, cancellationToken: cancellationToken).ConfigureAwait(false)).Ids);
        }

        return resolved;
    }

    /// <summary>One object per instance: an instance-level v2 manifest, <see cref="Chunk"/> values at a time.</summary>
    private async Task<List<DownloadSource>> InstancesAsync(string attribute, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        var sources = new List<DownloadSource>();
        if (values.Count == 0)
        {
            return sources;
        }

        _hasHash ??= (await client.V2.GetFieldsAsync("current", cancellationToken).ConfigureAwait(false)).DataSources.Any(s => s.Fields.Contains("instance_hash"));
        string[] fields = [.. SeriesFields, "aws_url", "instance_size", .. _hasHash == true ? new[] { "instance_hash" } : []];
        foreach (var chunk in values.Chunk(Chunk))
        {
            var request = new V2ManifestPreviewRequest(
                new V2CohortDefinition("idc download", "", new Filters { [attribute] = [.. chunk.Select(FilterValue.String)] }), fields, PageSize: 10_000);
            await foreach (var row in client.V2.GetManifestPreview(request, cancellationToken).ConfigureAwait(false))
            {
                if (row.GetString("aws_url") is { } url && DownloadSource.TryParseUrl(url, out var bucket, out var key))
                {
                    var series = new SeriesInfo(row.GetString("collection_id"), row.GetString("PatientID"), row.GetString("StudyInstanceUID"),
                        row.GetString("SeriesInstanceUID"), row.GetString("Modality"), row.GetString("crdc_series_uuid"));
                    sources.Add(DownloadSource.Object(bucket, key, series, row.GetInt64("instance_size"), ManifestFile.Md5(row.GetString("instance_hash")), url));
                }
            }
        }

        return sources;
    }
}
